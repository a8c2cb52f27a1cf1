"""A switch whose condition artifact is an int: flowc takes the case named by its str() (as
runtime_shim/transitions.py documents); Metaflow refuses it ("not in the available cases").
Not a `diff_` flow: the test asserts the deliberate difference."""

from flowc import FlowSpec, step


class LenientSwitchValueFlow(FlowSpec):
    @step
    def start(self):
        self.level = 2
        self.next({"1": self.low, "2": self.high}, condition="level")

    @step
    def low(self):
        self.taken = "low"
        self.next(self.end)

    @step
    def high(self):
        self.taken = "high"
        self.next(self.end)

    @step
    def end(self):
        self.final = (self.level, self.taken)


if __name__ == "__main__":
    LenientSwitchValueFlow()
