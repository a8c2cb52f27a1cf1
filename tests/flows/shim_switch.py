"""Shim test flow: a switch chosen by a parameter, and a step that loops to itself."""

from flowc import FlowSpec, Parameter, step


class ShimSwitchFlow(FlowSpec):
    """start switches on `choice`; high loops `rounds` times; low goes straight on."""

    choice = Parameter("choice", default="high")
    rounds = Parameter("rounds", default=3, type=int)

    @step
    def start(self):
        self.level = self.choice
        self.counter = 0
        self.next({"high": self.high, "low": self.low}, condition="level")

    @step
    def high(self):
        self.counter += 1
        self.state = "again" if self.counter < self.rounds else "done"
        self.next({"again": self.high, "done": self.end}, condition="state")

    @step
    def low(self):
        self.next(self.end)

    @step
    def end(self):
        self.final = (self.level, self.counter)
