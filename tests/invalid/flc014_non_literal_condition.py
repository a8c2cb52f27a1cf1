from flowc import FlowSpec, step


class ConditionVariableFlow(FlowSpec):
    @step
    def start(self):
        self.mode = "a"
        which = "mode"
        self.next({"a": self.a, "b": self.b}, condition=which)  # error: [FLC014]

    @step
    def a(self):
        self.next(self.end)

    @step
    def b(self):
        self.next(self.end)

    @step
    def end(self):
        pass
