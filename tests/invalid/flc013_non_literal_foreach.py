from flowc import FlowSpec, step


class ForeachVariableFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2]
        name = "items"
        self.next(self.body, foreach=name)  # error: [FLC013]

    @step
    def body(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
