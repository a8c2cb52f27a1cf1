from flowc import FlowSpec, step


class NoNextFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.middle)

    @step
    def middle(self):  # error: [FLC112]
        self.x = 1

    @step
    def end(self):
        pass
