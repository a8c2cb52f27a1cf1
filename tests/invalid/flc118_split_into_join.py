from flowc import FlowSpec, step


class EmptyBranchFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.join)

    @step
    def a(self):
        self.next(self.join)

    @step
    def join(self, inputs):  # error: [FLC118]
        self.next(self.end)

    @step
    def end(self):
        pass
