from flowc import FlowSpec, Parameter, step


class ReservedParameterFlow(FlowSpec):
    tags = Parameter("tags", default="x")  # error: [FLC022]
    run = Parameter("run-id", default="r")  # error: [FLC022]
    index = Parameter("position", default=0)  # error: [FLC022]

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
