"""Parameters with a separator (empty pieces kept), JSONType, float, defaults only, a
required one, a dashed name; class-level constants; `current.parameter_names`; all read in a
foreach over a parameter's value, across a join, and after it."""

from flowc import FlowSpec, JSONType, Parameter, current, step


class DiffParametersFlow(FlowSpec):
    THRESHOLD = 0.25  # class-level values are artifacts of every task in Metaflow
    modes = ("fast", "slow")
    words = Parameter("words", default="one", separator=";", help="semicolon-separated")
    config = Parameter("config", default='{"depth": 1}', type=JSONType)
    scale = Parameter("scale", default=1.0, type=float)
    limit = Parameter("limit", default=7)
    label = Parameter("label", default="base", required=True)
    verbose = Parameter("verbose", default=True, type=bool)
    max_items = Parameter("max-items", default=4, type=int)

    @step
    def start(self):
        self.seen = (self.words, self.config, self.scale, self.limit, self.label, self.verbose,
                     self.max_items, self.THRESHOLD)
        self.parameter_names = current.parameter_names
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
        self.in_join = (self.THRESHOLD, self.modes, self.max_items)
        self.next(self.end)

    @step
    def end(self):
        self.final = (self.words, self.limit, self.label, self.names, self.scaled_all)


if __name__ == "__main__":
    DiffParametersFlow()
