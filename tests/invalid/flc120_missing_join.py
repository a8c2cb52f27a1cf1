from flowc import FlowSpec, step


class MissingJoinFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b)

    @step
    def a(self):
        self.next(self.merge)

    @step
    def b(self):
        self.next(self.merge)

    @step
    def merge(self):  # error: [FLC120]
        self.next(self.end)

    @step
    def end(self):
        pass
