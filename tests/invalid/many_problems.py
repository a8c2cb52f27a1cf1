"""Unrelated mistakes in one flow are all reported at once (Metaflow stops at the first)."""

from flowc import FlowSpec, Parameter, retry, step


class ManyProblemsFlow(FlowSpec):
    tags = Parameter("tags", default="x")  # error: [FLC022]
    count = Parameter("count", type=int, default="3")  # error: [FLC023]

    @retry(times=-1)  # error: [FLC030]
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
    def Unused(self):  # error: [FLC104, FLC110]
        self.next(self.end)

    @step
    def end(self):
        pass
