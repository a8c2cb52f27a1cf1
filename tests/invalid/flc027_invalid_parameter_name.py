from flowc import FlowSpec, Parameter, step


class BadParameterNameFlow(FlowSpec):
    spaced = Parameter("learning rate", default=0.1)  # error: [FLC027]
    assigned = Parameter("a=b", default="x")  # error: [FLC027]
    accented = Parameter("café", default="x")  # error: [FLC027]
    fine = Parameter("max-depth", default=3)

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
