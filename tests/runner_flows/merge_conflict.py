"""Two branches set `value` differently; the join's merge_artifacts must refuse."""

from flowc import FlowSpec, step


class MergeConflictFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.left, self.right)

    @step
    def left(self):
        self.value = "left"
        self.next(self.join)

    @step
    def right(self):
        self.value = "right"
        self.next(self.join)

    @step
    def join(self, inputs):
        self.merge_artifacts(inputs)
        self.next(self.end)

    @step
    def end(self):
        pass
