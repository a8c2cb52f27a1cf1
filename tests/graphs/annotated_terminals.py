"""Start and end chosen by @step(start=True)/@step(end=True), with a nested foreach and a
parallel gang inside it."""

from flowc import FlowSpec, parallel, step


class AnnotatedTerminalsFlow(FlowSpec):
    @step(start=True)
    def begin(self):
        self.outer = [1, 2]
        self.next(self.per_outer, foreach="outer")

    @step
    def per_outer(self):
        self.inner = [3, 4]
        self.next(self.per_inner, foreach="inner")

    @step
    def per_inner(self):
        self.next(self.gang, num_parallel=2)

    @parallel
    @step
    def gang(self):
        self.next(self.gang_join)

    @step
    def gang_join(self, inputs):
        self.next(self.inner_join)

    @step
    def inner_join(self, inputs):
        self.next(self.outer_join)

    @step
    def outer_join(self, inputs):
        self.next(self.finish)

    @step(end=True)
    def finish(self):
        pass
