from flowc import FlowSpec, step


class TwoStartsFlow(FlowSpec):
    @step(start=True)
    def begin(self):  # error: [FLC105]
        self.next(self.start)

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
