from flowc import FlowSpec, step


class NoCasesFlow(FlowSpec):
    @step
    def start(self):
        self.mode = "a"
        self.next({}, condition="mode")  # error: [FLC123]

    @step
    def end(self):
        pass
