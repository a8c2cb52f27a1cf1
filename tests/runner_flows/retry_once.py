"""A step that fails on its first attempt and succeeds on the retry (a marker file remembers)."""

import os

from flowc import FlowSpec, Parameter, retry, step


class RetryOnceFlow(FlowSpec):
    marker = Parameter("marker", default="", help="a path; the first attempt creates it")

    @step
    def start(self):
        self.next(self.flaky)

    @retry(times=2, minutes_between_retries=0)
    @step
    def flaky(self):
        if not os.path.exists(self.marker):
            with open(self.marker, "w") as handle:
                handle.write("attempted")
            raise RuntimeError("first attempt fails on purpose")
        self.attempts_seen = 2
        self.next(self.end)

    @step
    def end(self):
        pass
