from flowc import FlowSpec, step


class OpenSplitFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.body, foreach="items")

    @step
    def body(self):
        self.next(self.end)

    @step
    def end(self):  # error: [FLC121]
        pass
