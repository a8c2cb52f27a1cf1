"""A foreach whose body is a static split that itself holds a split: three levels of joins."""

from flowc import FlowSpec, step


class NestedSplitsInForeachFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2, 3]
        self.next(self.body, foreach="items")

    @step
    def body(self):
        self.next(self.left, self.right)

    @step
    def left(self):
        self.next(self.left_a, self.left_b)

    @step
    def left_a(self):
        self.next(self.left_join)

    @step
    def left_b(self):
        self.next(self.left_join)

    @step
    def left_join(self, inputs):
        self.next(self.inner_join)

    @step
    def right(self):
        self.next(self.right_more)

    @step
    def right_more(self):
        self.next(self.inner_join)

    @step
    def inner_join(self, inputs):
        self.next(self.outer_join)

    @step
    def outer_join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
