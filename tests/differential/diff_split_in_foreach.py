"""A static split inside a foreach over tuples, merged with merge_artifacts in the inner join
(agreeing values, values set by one branch only, a conflict excluded, a value the join sets
itself); the outer join merges with include=; artifacts inherited across both joins."""

from flowc import FlowSpec, step


class DiffSplitInForeachFlow(FlowSpec):
    @step
    def start(self):
        self.pairs = [("x", 1), ("y", 2)]
        self.constant = "everywhere"
        self.next(self.unpack, foreach="pairs")

    @step
    def unpack(self):
        self.label, self.number = self.input
        self.shared = self.number * 10  # both branches inherit the same value
        self.next(self.left, self.right, self.middle)

    @step
    def left(self):
        self.side = "left"
        self.left_only = self.number + 100
        self.next(self.inner_join)

    @step
    def middle(self):
        self.side = "middle"
        self.next(self.inner_join)

    @step
    def right(self):
        self.side = "right"
        self.right_only = [self.label] * self.number
        self.shared = self.number * 10  # reassigned, same value: no conflict
        self.next(self.inner_join)

    @step
    def inner_join(self, inputs):
        self.sides = [task.side for task in inputs]
        self.from_right = inputs.right.right_only
        self.from_left = inputs.left.left_only
        self.pair_index = self.index
        self.pair_input = self.input
        self.number = -1  # set here: merge leaves it alone
        self.merge_artifacts(inputs, exclude=["side"])
        self.pair_input_again = self.input  # fixed at the first read, before the merge
        self.next(self.after_inner)

    @step
    def after_inner(self):
        """Inherits what the inner join merged (`pairs` too, so self.input is back)."""
        self.after_input = (self.index, self.input, self.foreach_stack())
        self.digest = (self.label, self.shared, self.left_only, self.right_only, self.number,
                       self.constant)
        self.next(self.outer_join)

    @step
    def outer_join(self, inputs):
        self.digests = [task.digest for task in inputs]
        self.merge_artifacts(inputs, include=["constant", "pairs"])
        self.next(self.end)

    @step
    def end(self):
        self.final = (len(self.digests), self.constant, self.pairs)


if __name__ == "__main__":
    DiffSplitInForeachFlow()
