from flowc import FlowSpec, step


class TwoNextFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a)
        self.next(self.end)  # error: [FLC016]

    @step
    def a(self):
        self.next(self.end)

    @step
    def end(self):
        pass
