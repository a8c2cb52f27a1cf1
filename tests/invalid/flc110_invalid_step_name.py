from flowc import FlowSpec, step


class BadNameFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.Train)

    @step
    def Train(self):  # error: [FLC110]
        self.next(self._private)

    @step
    def _private(self):  # error: [FLC110]
        self.next(self.end)

    @step
    def end(self):
        pass
