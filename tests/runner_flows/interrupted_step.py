"""A step that raises KeyboardInterrupt under @retry: the task is stopped, not failed, so it
is not retried (each attempt appends to the marker file, so the test can count them)."""

from flowc import FlowSpec, Parameter, retry, step


class InterruptedStepFlow(FlowSpec):
    marker = Parameter("marker", default="", help="a path; every attempt appends a line")

    @step
    def start(self):
        self.next(self.stopped)

    @retry(times=2, minutes_between_retries=0)
    @step
    def stopped(self):
        with open(self.marker, "a") as handle:
            handle.write("attempt\n")
        raise KeyboardInterrupt
        self.next(self.end)

    @step
    def end(self):
        pass
