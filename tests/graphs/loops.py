"""Two switch loops: one at the top level and one inside a foreach, each looping to itself,
plus a diamond of switches that meet again (a shape that has many paths but few steps)."""

from flowc import FlowSpec, step


class LoopsFlow(FlowSpec):
    @step
    def start(self):
        self.count = 0
        self.next(self.poll)

    @step
    def poll(self):
        self.count += 1
        self.state = "again" if self.count < 3 else "done"
        self.next({"again": self.poll, "done": self.d1}, condition="state")

    @step
    def d1(self):
        self.side = "x"
        self.next({"x": self.d1x, "y": self.d1y}, condition="side")

    @step
    def d1x(self):
        self.next(self.d2)

    @step
    def d1y(self):
        self.next(self.d2)

    @step
    def d2(self):
        self.side = "y"
        self.next({"x": self.d2x, "y": self.d2y}, condition="side")

    @step
    def d2x(self):
        self.next(self.fan)

    @step
    def d2y(self):
        self.next(self.fan)

    @step
    def fan(self):
        self.items = [1, 2]
        self.next(self.retry_item, foreach="items")

    @step
    def retry_item(self):
        self.tries = getattr(self, "tries", 0) + 1
        self.again = "yes" if self.tries < 2 else "no"
        self.next({"yes": self.retry_item, "no": self.item_done}, condition="again")

    @step
    def item_done(self):
        self.next(self.fan_join)

    @step
    def fan_join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
