"""A switch inside a foreach: each item takes its own branch, then the foreach joins."""

from flowc import FlowSpec, step


class SwitchInForeachFlow(FlowSpec):
    """One Collatz step per number: even numbers are halved, odd ones become 3n + 1."""

    @step
    def start(self):
        self.numbers = [1, 2, 3, 4, 5]
        self.next(self.classify, foreach="numbers")

    @step
    def classify(self):
        self.number = self.input
        self.parity = "even" if self.number % 2 == 0 else "odd"
        self.next({"even": self.halve, "odd": self.triple}, condition="parity")

    @step
    def halve(self):
        self.result = self.number // 2
        self.next(self.record)

    @step
    def triple(self):
        self.result = 3 * self.number + 1
        self.next(self.record)

    @step
    def record(self):
        """Whichever branch ran, each item arrives here once."""
        self.line = f"{self.number} -> {self.result}"
        self.next(self.join)

    @step
    def join(self, inputs):
        self.results = {str(task.number): task.result for task in inputs}
        self.lines = sorted(task.line for task in inputs)
        self.next(self.end)

    @step
    def end(self):
        print(self.results)


if __name__ == "__main__":
    SwitchInForeachFlow()
