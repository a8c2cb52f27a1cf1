from flowc import FlowSpec, step


class MissingBranchFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b, self.c)

    @step
    def a(self):
        self.next(self.join)

    @step
    def b(self):
        self.next(self.join)

    @step
    def c(self):
        self.next(self.join2)

    @step
    def join(self, inputs):  # error: [FLC118]
        self.next(self.join2)

    @step
    def join2(self, inputs):  # error: [FLC119]
        self.next(self.end)

    @step
    def end(self):
        pass
