"""A foreach inside a switch: one case fans out over items, the other handles a single one."""

from flowc import FlowSpec, Parameter, step


class ForeachInSwitchFlow(FlowSpec):
    """start picks `many` or `one`; `many` runs a foreach and joins; both cases lead to end."""

    size = Parameter("size", default=3, type=int, help="how many items to square")

    @step
    def start(self):
        self.items = list(range(1, self.size + 1))
        self.route = "many" if len(self.items) > 1 else "one"
        self.next({"many": self.fan_out, "one": self.single}, condition="route")

    @step
    def fan_out(self):
        self.next(self.square, foreach="items")

    @step
    def square(self):
        self.squared = self.input * self.input
        self.next(self.join_squares)

    @step
    def join_squares(self, inputs):
        self.total = sum(task.squared for task in inputs)
        self.next(self.end)

    @step
    def single(self):
        self.total = self.items[0] * self.items[0]
        self.next(self.end)

    @step
    def end(self):
        print(f"sum of squares up to {self.size}: {self.total}")


if __name__ == "__main__":
    ForeachInSwitchFlow()
