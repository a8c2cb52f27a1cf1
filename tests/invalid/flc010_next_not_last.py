from flowc import FlowSpec, step


class NextNotLastFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)  # error: [FLC010]
        self.x = 1

    @step
    def end(self):
        pass
