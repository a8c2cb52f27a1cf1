"""Shim test flow: @catch stores the exception (on the last attempt) and the flow goes on."""

from flowc import FlowSpec, catch, retry, step


class ShimCatchFlow(FlowSpec):
    """risky always raises; after never does; end reads both catch variables."""

    @step
    def start(self):
        self.next(self.risky)

    @retry(times=1)
    @catch(var="failure")
    @step
    def risky(self):
        self.before = "set before the error"
        raise ValueError("boom")
        self.next(self.after)

    @catch(var="no_failure")
    @step
    def after(self):
        self.next(self.end)

    @step
    def end(self):
        self.summary = (str(self.failure), self.no_failure, self.before)
