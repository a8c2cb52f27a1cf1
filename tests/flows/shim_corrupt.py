"""Shim test flow: end reads an artifact of start (the test corrupts its blob in between)."""

from flowc import FlowSpec, catch, step


class ShimCorruptFlow(FlowSpec):
    @step
    def start(self):
        self.numbers = list(range(100))
        self.next(self.end)

    @catch(var="failure")
    @step
    def end(self):
        self.total = sum(self.numbers)
