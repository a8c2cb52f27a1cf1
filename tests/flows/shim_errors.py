"""Shim test flow: a required parameter and a `mode` that makes the start step misbehave."""

from flowc import FlowSpec, Parameter, step


class ShimErrorsFlow(FlowSpec):
    """Each `mode` breaks one rule of the task contract; "ok" breaks none."""

    who = Parameter("who", required=True, help="required, without a default")
    mode = Parameter("mode", default="ok")
    count = Parameter("count", default=1, type=int)

    @step
    def start(self):
        self.items = [1, 2]
        if self.mode == "raise":
            raise RuntimeError("failed on purpose")
        if self.mode == "not-iterable":
            self.items = 5
        if self.mode == "missing":
            del self.items
        if self.mode == "unpicklable":
            self.handle = lambda: 1
        if self.mode == "twice":
            getattr(self, "next")(self.body, foreach="items")  # noqa: B009  (unseen by flowc)
        if self.mode == "no-next":
            return
        if self.mode == "interrupt":
            raise KeyboardInterrupt
        self.next(self.body, foreach="items")

    @step
    def body(self):
        self.doubled = self.input * 2
        self.next(self.join)

    @step
    def join(self, inputs):
        self.total = sum(task.doubled for task in inputs)
        self.next(self.end)

    @step
    def end(self):
        pass
