from flowc import FlowSpec, parallel, step


class ZeroGangFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train, num_parallel=0)  # error: [FLC129]

    @parallel
    @step
    def train(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
