"""A foreach: one task of the body step per item, then a join over all of them."""

from flowc import FlowSpec, step


class ForeachFlow(FlowSpec):
    """start fans out over a list of words, measure runs once per word, join collects."""

    @step
    def start(self):
        self.words = ["alpha", "beta", "gamma", "delta"]
        self.next(self.measure, foreach="words")

    @step
    def measure(self):
        """self.input is this task's word; self.index is its position in the list."""
        self.word = self.input
        self.position = self.index
        self.length = len(self.input)
        self.next(self.join)

    @step
    def join(self, inputs):
        self.lengths = {task.word: task.length for task in inputs}
        self.positions = {task.word: task.position for task in inputs}
        self.total_length = sum(self.lengths.values())
        self.next(self.end)

    @step
    def end(self):
        print(f"{len(self.lengths)} words, {self.total_length} letters: {self.lengths}")


if __name__ == "__main__":
    ForeachFlow()
