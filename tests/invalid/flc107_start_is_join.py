from flowc import FlowSpec, step


class StartJoinFlow(FlowSpec):
    @step
    def start(self, inputs):  # error: [FLC107]
        self.next(self.end)

    @step
    def end(self):
        pass
