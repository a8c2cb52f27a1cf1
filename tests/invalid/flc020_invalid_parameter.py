from flowc import FlowSpec, Parameter, step


class NamelessParameterFlow(FlowSpec):
    alpha = Parameter(default=0.5)  # error: [FLC020]

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
