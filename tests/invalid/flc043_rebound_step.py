from metaflow import FlowSpec, retry, step


class ReboundStepFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train)

    @step
    def train(self):
        self.next(self.end)

    train = retry(times=2)(train)  # error: [FLC043]

    @step
    def end(self):
        pass
