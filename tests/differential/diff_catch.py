"""@catch in a foreach body: some items raise (after setting artifacts), one only on its
first attempt (@retry); the join and a later step read the exception records."""

from flowc import FlowSpec, catch, current, retry, step


class DiffCatchFlow(FlowSpec):
    @step
    def start(self):
        self.divisors = [2, 0, 5, 4]
        self.next(self.divide, foreach="divisors")

    @catch(var="failure", print_exception=False)
    @retry(times=1, minutes_between_retries=0)
    @step
    def divide(self):
        self.attempted = self.input
        self.attempt = current.retry_count
        if self.index == 3 and current.retry_count == 0:
            raise RuntimeError("first attempt of item 3 fails")
        self.quotient = 10 // self.input
        self.next(self.join)

    @step
    def join(self, inputs):
        self.failed = [task.failure is not None for task in inputs]
        self.messages = [task.failure.exception if task.failure else None for task in inputs]
        self.quotients = [getattr(task, "quotient", None) for task in inputs]
        self.kinds = [task.failure.type if task.failure else None for task in inputs]
        self.attempts = [task.attempt for task in inputs]
        self.next(self.risky)

    @catch
    @step
    def risky(self):
        self.before = "set before raising"
        if self.before:
            raise ValueError("no var to store me")
        self.next(self.end)

    @step
    def end(self):
        self.outcome = (self.failed, self.before)


if __name__ == "__main__":
    DiffCatchFlow()
