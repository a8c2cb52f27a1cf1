"""A step that sleeps past its @timeout."""

import time

from flowc import FlowSpec, step, timeout


class SleepyFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.nap)

    @timeout(seconds=1)
    @step
    def nap(self):
        time.sleep(30)
        self.next(self.end)

    @step
    def end(self):
        pass
