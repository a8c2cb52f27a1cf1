"""A static split inside a foreach: every item runs both branches, joined per item."""

from flowc import FlowSpec, step


class BranchInForeachFlow(FlowSpec):
    """start -> foreach number: prepare -> (double | square) -> combine -> gather -> end."""

    @step
    def start(self):
        self.numbers = [2, 3, 4]
        self.next(self.prepare, foreach="numbers")

    @step
    def prepare(self):
        self.number = self.input
        self.next(self.double, self.square)

    @step
    def double(self):
        self.value = self.number * 2
        self.next(self.combine)

    @step
    def square(self):
        self.value = self.number * self.number
        self.next(self.combine)

    @step
    def combine(self, inputs):
        """Joins the split of one item."""
        self.number = inputs.double.number
        self.total = inputs.double.value + inputs.square.value
        self.next(self.gather)

    @step
    def gather(self, inputs):
        """Joins the foreach."""
        self.totals = {str(task.number): task.total for task in inputs}
        self.grand_total = sum(self.totals.values())
        self.next(self.end)

    @step
    def end(self):
        print(f"{self.totals} -> {self.grand_total}")


if __name__ == "__main__":
    BranchInForeachFlow()
