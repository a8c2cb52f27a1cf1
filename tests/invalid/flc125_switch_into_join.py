from flowc import FlowSpec, step


class SwitchJoinFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.pick, foreach="items")

    @step
    def pick(self):
        self.mode = "skip" if self.input == 1 else "work"
        self.next(
            {
                "work": self.work,
                "skip": self.join,  # error: [FLC125]
            },
            condition="mode",
        )

    @step
    def work(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
