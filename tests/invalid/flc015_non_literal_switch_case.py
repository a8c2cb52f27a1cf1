from flowc import FlowSpec, step


class SwitchKeyFlow(FlowSpec):
    @step
    def start(self):
        self.mode = "a"
        self.next(
            {
                self.mode: self.a,  # error: [FLC015]
                "b": self.b,
            },
            condition="mode",
        )

    @step
    def a(self):
        self.next(self.end)

    @step
    def b(self):
        self.next(self.end)

    @step
    def end(self):
        pass
