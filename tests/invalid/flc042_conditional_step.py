import os

from metaflow import FlowSpec, step

FAST = os.environ.get("FAST") == "1"


class ConditionalStepFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train)

    if FAST:
        @step
        def train(self):  # error: [FLC042]
            self.next(self.end)
    else:
        try:
            @step
            def train(self):  # error: [FLC042]
                self.next(self.end)
        except ImportError:
            pass

    @step
    def end(self):
        pass

    def helper(self):
        if FAST:
            def inner():
                pass
