from flowc import FlowSpec, step


class BadTransitionFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.a)  # error: [FLC113]

    @step
    def a(self):
        self.next(self.join, retries=2)  # error: [FLC113]

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
