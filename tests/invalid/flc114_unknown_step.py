from flowc import FlowSpec, step


class TypoFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.trian)  # error: [FLC114]

    @step
    def train(self):
        self.next(self.end)

    @step
    def end(self):
        pass
