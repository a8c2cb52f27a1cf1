"""A foreach over an empty list: flowc goes straight to the join (with no inputs); Metaflow
refuses it ("produced zero splits"). Not a `diff_` flow: the test asserts the deliberate
difference."""

from flowc import FlowSpec, step


class EmptyForeachFlow(FlowSpec):
    @step
    def start(self):
        self.items = []
        self.next(self.body, foreach="items")

    @step
    def body(self):
        self.value = self.input
        self.next(self.join)

    @step
    def join(self, inputs):
        self.count = len(inputs)
        self.values = [task.value for task in inputs]
        self.next(self.end)

    @step
    def end(self):
        self.final = (self.count, self.values)


if __name__ == "__main__":
    EmptyForeachFlow()
