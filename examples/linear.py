"""A linear flow: every step runs once, after the one before it."""

from flowc import FlowSpec, current, step


class LinearFlow(FlowSpec):
    """A straight line of steps; each one reads the artifacts the previous one stored."""

    @step
    def start(self):
        """Load a small list of numbers."""
        self.numbers = [3, 1, 4, 1, 5, 9, 2, 6]
        self.next(self.deduplicate)

    @step
    def deduplicate(self):
        """Keep each number once, in order."""
        self.unique = sorted(set(self.numbers))
        self.next(self.square)

    @step
    def square(self):
        self.squares = [n * n for n in self.unique]
        self.next(self.summarize)

    @step
    def summarize(self):
        self.total = sum(self.squares)
        self.summarized_by = current.step_name
        self.next(self.end)

    @step
    def end(self):
        print(f"sum of squares of {self.unique} = {self.total}")


if __name__ == "__main__":
    LinearFlow()
