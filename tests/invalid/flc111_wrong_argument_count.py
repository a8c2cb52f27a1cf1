from flowc import FlowSpec, step


class ArgumentsFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b)

    @step
    def a(self):
        self.next(self.join)

    @step
    def b(self):
        self.next(self.join)

    @step
    def join(self, inputs, extra):  # error: [FLC111]
        self.next(self.end)

    @step
    def end(self):
        pass
