"""Nested static splits: a branch of the outer split splits again and joins first."""

from flowc import FlowSpec, step


class NestedBranchesFlow(FlowSpec):
    """start -> (fruits -> (apples | pears) -> join_fruits | vegetables) -> join_all -> end."""

    @step
    def start(self):
        self.next(self.fruits, self.vegetables)

    @step
    def fruits(self):
        self.next(self.apples, self.pears)

    @step
    def apples(self):
        self.count = 3
        self.next(self.join_fruits)

    @step
    def pears(self):
        self.count = 5
        self.next(self.join_fruits)

    @step
    def join_fruits(self, inputs):
        """Closes the inner split."""
        self.fruit_total = sum(branch.count for branch in inputs)
        self.next(self.join_all)

    @step
    def vegetables(self):
        self.vegetable_total = 4
        self.next(self.join_all)

    @step
    def join_all(self, inputs):
        """Closes the outer split."""
        self.total = inputs.join_fruits.fruit_total + inputs.vegetables.vegetable_total
        self.next(self.end)

    @step
    def end(self):
        print(f"{self.total} items in the basket")


if __name__ == "__main__":
    NestedBranchesFlow()
