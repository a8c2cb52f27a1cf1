"""Splits in sequence and splits nested in every branch: many paths, few steps."""

from flowc import FlowSpec, step


class WideDiamondsFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b, self.c)

    @step
    def a(self):
        self.next(self.a1, self.a2)

    @step
    def a1(self):
        self.next(self.a_join)

    @step
    def a2(self):
        self.next(self.a_join)

    @step
    def a_join(self, inputs):
        self.next(self.abc_join)

    @step
    def b(self):
        self.next(self.abc_join)

    @step
    def c(self):
        self.items = [1]
        self.next(self.c_body, foreach="items")

    @step
    def c_body(self):
        self.next(self.c_join)

    @step
    def c_join(self, inputs):
        self.next(self.abc_join)

    @step
    def abc_join(self, inputs):
        self.next(self.mid)

    @step
    def mid(self):
        self.next(self.x, self.y)

    @step
    def x(self):
        self.next(self.xy_join)

    @step
    def y(self):
        self.next(self.xy_join)

    @step
    def xy_join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
