from flowc import FlowSpec, step


class LonelyJoinFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.join)

    @step
    def join(self, inputs):  # error: [FLC117]
        self.next(self.end)

    @step
    def end(self):
        pass
