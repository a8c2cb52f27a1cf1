"""A loop: a step switches back to itself until a counter reaches its goal."""

from flowc import FlowSpec, Parameter, step


class SwitchLoopFlow(FlowSpec):
    """increment runs `rounds` times (one task per iteration), then the switch goes to end."""

    rounds = Parameter("rounds", default=3, type=int, help="how many iterations to run")

    @step
    def start(self):
        self.counter = 0
        self.history = []
        self.next(self.increment)

    @step
    def increment(self):
        """Each iteration sees the artifacts of the one before."""
        self.counter += 1
        self.history = self.history + [self.counter * self.counter]
        self.status = "again" if self.counter < self.rounds else "done"
        self.next({"again": self.increment, "done": self.end}, condition="status")

    @step
    def end(self):
        print(f"{self.counter} iterations: {self.history}")


if __name__ == "__main__":
    SwitchLoopFlow()
