from flowc import FlowSpec, step


class DuplicateStepFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def start(self):  # error: [FLC040]
        self.next(self.end)

    @step
    def end(self):
        pass
