"""A foreach where item 2 fails until a marker file exists: for resume tests."""

import os

from flowc import FlowSpec, Parameter, step


class FlakyForeachFlow(FlowSpec):
    marker = Parameter("marker", default="", help="item 2 fails while this file is missing")

    @step
    def start(self):
        self.items = [0, 1, 2, 3]
        self.next(self.body, foreach="items")

    @step
    def body(self):
        if self.input == 2 and not os.path.exists(self.marker):
            raise ValueError("item 2 is not ready")
        self.square = self.input * self.input
        self.next(self.join)

    @step
    def join(self, inputs):
        self.squares = [task.square for task in inputs]
        self.next(self.end)

    @step
    def end(self):
        pass
