from flowc import FlowSpec, step


class TwoEndsFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b)

    @step(end=True)
    def a(self):  # error: [FLC106]
        pass

    @step(end=True)
    def b(self):  # error: [FLC106]
        pass
