"""A step that waits (up to a minute) for a file the test creates: a run that stays running
for as long as the test needs it to."""

import os
import time

from flowc import FlowSpec, Parameter, step


class WaitsForFileFlow(FlowSpec):
    signal_file = Parameter("signal_file", default="", help="the step waits until it exists")

    @step
    def start(self):
        self.next(self.wait)

    @step
    def wait(self):
        deadline = time.monotonic() + 60
        while not os.path.exists(self.signal_file) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.next(self.end)

    @step
    def end(self):
        pass
