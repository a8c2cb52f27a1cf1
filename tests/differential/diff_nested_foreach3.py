"""Three nested foreaches: every level records self.input, self.index and foreach_stack(),
every join reads `inputs` order and its own self.input / self.index (the enclosing level's)."""

from flowc import FlowSpec, step


class DiffNestedForeach3Flow(FlowSpec):
    @step
    def start(self):
        self.outer = ["p", "q"]
        self.next(self.level1, foreach="outer")

    @step
    def level1(self):
        self.l1 = (self.index, self.input)
        self.middle = [{"k": self.input + str(i)} for i in range(2 if self.index == 0 else 1)]
        self.next(self.level2, foreach="middle")

    @step
    def level2(self):
        self.l2 = (self.index, self.input["k"])
        self.inner = range(self.index + 1)  # a range, not a list
        self.next(self.level3, foreach="inner")

    @step
    def level3(self):
        self.inner = [f"re-{item}" for item in self.inner]  # self.input reads it as it is now
        self.l3 = (self.index, self.input)
        self.stack = self.foreach_stack()
        self.path = (self.l1[0], self.l2[0], self.l3[0])
        self.next(self.join3)

    @step
    def join3(self, inputs):
        self.paths3 = [task.path for task in inputs]
        self.stacks = [task.stack for task in inputs]
        self.at3 = (self.index, self.input, self.foreach_stack())
        self.next(self.join2)

    @step
    def join2(self, inputs):
        self.paths2 = [path for task in inputs for path in task.paths3]
        self.at2 = (self.index, self.input, self.foreach_stack())
        self.seen2 = [task.at3 for task in inputs]
        self.next(self.join1)

    @step
    def join1(self, inputs):
        self.paths1 = [path for task in inputs for path in task.paths2]
        self.seen1 = [task.at2 for task in inputs]
        self.at1 = (self.index, self.foreach_stack())
        self.next(self.end)

    @step
    def end(self):
        self.count = len(self.paths1)


if __name__ == "__main__":
    DiffNestedForeach3Flow()
