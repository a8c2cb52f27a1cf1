from flowc import FlowSpec, step


class OneCaseFlow(FlowSpec):
    @step
    def start(self):
        self.mode = "only"
        self.next({"only": self.a}, condition="mode")  # error: [FLC123]

    @step
    def a(self):
        self.next(self.end)

    @step
    def end(self):
        pass
