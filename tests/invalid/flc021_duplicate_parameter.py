from flowc import FlowSpec, Parameter, step


class DuplicateParameterFlow(FlowSpec):
    alpha = Parameter("alpha", default=0.5)
    beta = Parameter("Alpha", default=0.1)  # error: [FLC021]
    gamma = Parameter("learning-rate", default=0.1)
    delta = Parameter("learning_rate", default=0.2)  # error: [FLC021]

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
