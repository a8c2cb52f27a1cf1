from flowc import FlowSpec, JSONType, Parameter, step


class DefaultTypeFlow(FlowSpec):
    count = Parameter("count", type=int, default="three")  # error: [FLC023]
    ratio = Parameter("ratio", type=float, default=True)  # error: [FLC023]
    config = Parameter("config", type=JSONType, default="{not json")  # error: [FLC023]
    fine = Parameter("fine", type=JSONType, default='{"a": 1}')
    also_fine = Parameter("also_fine", type=float, default=3)

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
