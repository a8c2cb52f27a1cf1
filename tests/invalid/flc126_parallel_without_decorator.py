from flowc import FlowSpec, step


class GangFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train, num_parallel=4)  # error: [FLC126]

    @step
    def train(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
