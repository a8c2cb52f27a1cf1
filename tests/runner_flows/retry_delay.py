"""A split whose left branch retries after a short delay while the right branch runs."""

from flowc import FlowSpec, retry, step


class RetryDelayFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.left, self.right)

    @retry(times=1, minutes_between_retries=0.01)
    @step
    def left(self):
        self.side = "left"
        self.next(self.join)

    @step
    def right(self):
        self.side = "right"
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
