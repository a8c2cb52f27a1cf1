"""Parameters with a separator (empty pieces kept), JSONType, float, defaults only, a
callable-free required one; read in a foreach body, across a join, and after it."""

from flowc import FlowSpec, JSONType, Parameter, step


class DiffParametersFlow(FlowSpec):
    words = Parameter("words", default="one", separator=";", help="semicolon-separated")
    config = Parameter("config", default='{"depth": 1}', type=JSONType)
    scale = Parameter("scale", default=1.0, type=float)
    limit = Parameter("limit", default=7)
    label = Parameter("label", default="base", required=True)
    verbose = Parameter("verbose", default=True, type=bool)

    @step
    def start(self):
        self.seen = (self.words, self.config, self.scale, self.limit, self.label, self.verbose)
        self.next(self.each, foreach="words")

    @step
    def each(self):
        self.tag = self.input
        self.scaled = len(self.input) * self.scale
        self.next(self.join)

    @step
    def join(self, inputs):
        """No merge_artifacts: only the parameters cross the join."""
        self.scaled_all = [task.scaled for task in inputs]
        self.names = self.config["names"]
        self.next(self.end)

    @step
    def end(self):
        self.final = (self.words, self.limit, self.label, self.names, self.scaled_all)


if __name__ == "__main__":
    DiffParametersFlow()
