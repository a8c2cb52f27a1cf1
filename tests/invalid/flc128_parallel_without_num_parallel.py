from flowc import FlowSpec, parallel, step


class PlainCallFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train)  # error: [FLC128]

    @parallel
    @step
    def train(self):
        self.next(self.end)  # error: [FLC127]

    @step
    def end(self):
        pass
