from flowc import FlowSpec, step


class NoStartFlow(FlowSpec):  # error: [FLC102]
    @step
    def begin(self):
        self.next(self.end)

    @step
    def end(self):
        pass
