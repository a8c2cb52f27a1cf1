"""A foreach as wide as the `width` parameter, for fan-out scale tests."""

from flowc import FlowSpec, Parameter, step


class WideForeachFlow(FlowSpec):
    width = Parameter("width", default=1000, type=int, help="how many items")

    @step
    def start(self):
        self.items = list(range(self.width))
        self.next(self.square, foreach="items")

    @step
    def square(self):
        self.value = self.input * self.input
        self.next(self.join)

    @step
    def join(self, inputs):
        self.total = sum(task.value for task in inputs)
        self.count = len(list(inputs))
        self.next(self.end)

    @step
    def end(self):
        pass
