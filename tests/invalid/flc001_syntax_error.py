from flowc import FlowSpec, step


class BrokenFlow(FlowSpec):
    @step
    def start(self)  # error: [FLC001]
        self.next(self.end)

    @step
    def end(self):
        pass
