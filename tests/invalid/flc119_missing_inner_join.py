"""One branch of a split forgets the join of its foreach: the outer join is the one place
flowc reports (it used to add FLC121 at the end step too)."""

from flowc import FlowSpec, step


class MissingInnerJoinFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.left, self.right)

    @step
    def left(self):
        self.items = [1, 2]
        self.next(self.left_body, foreach="items")

    @step
    def left_body(self):
        self.next(self.left_join)

    @step
    def left_join(self, inputs):
        self.next(self.join)

    @step
    def right(self):
        self.items = [1, 2]
        self.next(self.right_body, foreach="items")

    @step
    def right_body(self):
        self.next(self.right_after)

    @step
    def right_after(self):  # should take inputs: it ends the foreach of 'right'
        self.next(self.join)

    @step
    def join(self, inputs):  # error: [FLC119]
        self.next(self.end)

    @step
    def end(self):
        pass
