"""A switch inside a foreach inside one branch of a static split; the switch paths merge
before the foreach joins, and one switch path reaches the merge through two steps."""

from flowc import FlowSpec, step


class SwitchInForeachInSplitFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.fan, self.plain)

    @step
    def fan(self):
        self.items = ["a", "b"]
        self.next(self.choose, foreach="items")

    @step
    def choose(self):
        self.mode = self.input
        self.next({"a": self.path_a, "b": self.path_b}, condition="mode")

    @step
    def path_a(self):
        self.next(self.path_a2)

    @step
    def path_a2(self):
        self.next(self.merge)

    @step
    def path_b(self):
        self.next(self.merge)

    @step
    def merge(self):
        self.next(self.fan_join)

    @step
    def fan_join(self, inputs):
        self.next(self.join)

    @step
    def plain(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
