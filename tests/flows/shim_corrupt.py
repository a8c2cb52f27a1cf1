"""Shim test flow: end reads an artifact of start (the test corrupts its blob in between).

`mode` says what end's code does with the read failure: nothing (`plain`), turn it into
another exception (`wrap`), or swallow it and later fail for an unrelated reason (`swallow`).
"""

from flowc import FlowSpec, Parameter, catch, step


class ShimCorruptFlow(FlowSpec):
    mode = Parameter("mode", default="plain")

    @step
    def start(self):
        self.numbers = list(range(100))
        self.next(self.end)

    @catch(var="failure")
    @step
    def end(self):
        if self.mode == "plain":
            self.total = sum(self.numbers)
        elif self.mode == "wrap":
            try:
                self.total = sum(self.numbers)
            except Exception:
                raise RuntimeError("could not sum") from None
        else:
            try:
                self.total = sum(self.numbers)
            except Exception:
                self.total = None
            raise ValueError("unrelated")
