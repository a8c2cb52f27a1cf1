"""A flow whose `report` fails until the file named by `marker` exists (the `argo retry` tests
create it between the failed run and the retry). The failing attempt first stores an artifact,
then fails saving one that cannot be pickled: blobs written, but no record."""

import os
import threading

from flowc import FlowSpec, Parameter, step


class RetryLateFlow(FlowSpec):
    marker = Parameter("marker", default="", help="a path; report fails until it exists")

    @step
    def start(self):
        self.items = [1, 2, 3]
        self.next(self.square, foreach="items")

    @step
    def square(self):
        self.value = self.input * self.input
        self.next(self.join)

    @step
    def join(self, inputs):
        self.total = sum(task.value for task in inputs)
        self.next(self.report)

    @step
    def report(self):
        if os.path.exists(self.marker):
            self.summary = f"total={self.total}"
        else:
            self.summary = "written by the failed attempt"
            self.handle = threading.Lock()  # cannot be saved: the task fails after `summary`
        self.next(self.end)

    @step
    def end(self):
        pass
