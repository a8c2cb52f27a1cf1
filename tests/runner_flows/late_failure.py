"""A flow that fails late: `report` raises until FIXED is set, after a foreach and a join.
The resume tests write a copy with FIXED = True to stand for the user's fix."""

from flowc import FlowSpec, step

FIXED = False


class LateFailureFlow(FlowSpec):
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
        if not FIXED:
            raise RuntimeError("report is broken until the fix")
        self.summary = f"total={self.total}"
        self.next(self.end)

    @step
    def end(self):
        pass
