from flowc import FlowSpec, Parameter, step


class ParameterStepFlow(FlowSpec):
    train = Parameter("train", default=True)  # error: [FLC025]

    @step
    def start(self):
        self.next(self.train)

    @step
    def train(self):
        self.next(self.end)

    @step
    def end(self):
        pass
