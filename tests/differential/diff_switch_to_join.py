"""A switch inside a foreach whose cases lead straight into the foreach's join (the join has
two in-steps); the join reads `inputs` order and which case each item took."""

from flowc import FlowSpec, step


class DiffSwitchToJoinFlow(FlowSpec):
    @step
    def start(self):
        self.numbers = [5, 2, 7, 4, 6]
        self.next(self.classify, foreach="numbers")

    @step
    def classify(self):
        self.number = self.input
        self.parity = "even" if self.number % 2 == 0 else "odd"
        self.next({"even": self.halve, "odd": self.triple}, condition="parity")

    @step
    def halve(self):
        self.result = self.number // 2
        self.next(self.join)

    @step
    def triple(self):
        self.result = 3 * self.number + 1
        self.next(self.join)

    @step
    def join(self, inputs):
        self.numbers_seen = [task.number for task in inputs]
        self.results = {str(task.number): task.result for task in inputs}
        self.total = sum(task.result for task in inputs)
        self.last_of_each = (inputs.halve.number, inputs.triple.number)  # the last input of each
        self.next(self.end)

    @step
    def end(self):
        self.final = (self.total, sorted(self.results))


if __name__ == "__main__":
    DiffSwitchToJoinFlow()
