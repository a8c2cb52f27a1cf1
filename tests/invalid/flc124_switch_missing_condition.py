from flowc import FlowSpec, step


class NoConditionFlow(FlowSpec):
    @step
    def start(self):
        self.next({"x": self.a, "y": self.end})  # error: [FLC124]

    @step
    def a(self):
        self.next(self.end)

    @step
    def end(self):
        pass
