from flowc import FlowSpec, step


class MissingInnerJoinFlow(FlowSpec):
    """The inner split's join is forgotten: one FLC120 at `merge`, nothing at the outer join."""

    @step
    def start(self):
        self.next(self.a, self.b)

    @step
    def a(self):
        self.next(self.a1, self.a2)

    @step
    def a1(self):
        self.next(self.merge)

    @step
    def a2(self):
        self.next(self.merge)

    @step
    def merge(self):  # error: [FLC120]
        self.next(self.join)

    @step
    def b(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
