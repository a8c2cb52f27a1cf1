from flowc import FlowSpec, step


class ReservedStepFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.input)

    @step
    def input(self):  # error: [FLC101]
        self.next(self.end)

    @step
    def end(self):
        pass
