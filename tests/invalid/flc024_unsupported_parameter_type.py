from flowc import FlowSpec, Parameter, step


class ListParameterFlow(FlowSpec):
    items = Parameter("items", type=list, default=None)  # error: [FLC024]

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
