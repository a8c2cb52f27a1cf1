"""Shim test flow: a static split whose join merges artifacts (conflicting unless resolved)."""

from flowc import FlowSpec, Parameter, step


class ShimMergeFlow(FlowSpec):
    """left and right disagree on `value`; the join sets it first only when `resolve`."""

    resolve = Parameter("resolve", default=False, type=bool)

    @step
    def start(self):
        self.shared = {"same": 1}
        self.words = {f"word{i}" for i in range(32)}  # pickles in hash-seed order
        self.next(self.left, self.right)

    @step
    def left(self):
        self.value = "L"
        self.only_left = len(self.words) == 32
        self.next(self.join)

    @step
    def right(self):
        self.value = "R"
        self.right_count = len(self.words)
        self.next(self.join)

    @step
    def join(self, inputs):
        self.from_left = inputs.left.value
        self.from_right = inputs.right.value
        self.steps = [task.value for task in inputs]
        if self.resolve:
            self.value = "both"
        self.merge_artifacts(inputs)
        self.next(self.end)

    @step
    def end(self):
        self.seen = (self.value, self.shared, self.only_left, self.resolve)
