"""A flow written for Metaflow (`import metaflow as mf`): flowc compiles and runs it unchanged."""

import metaflow as mf

BATCH_SIZE = 2


class MetaflowCompatFlow(mf.FlowSpec):
    """Metaflow names through a module alias: a parameter, a foreach and a decorated step."""

    prefix = mf.Parameter("prefix", default="item", help="label prefix")

    @mf.step
    def start(self):
        self.batches = [[1, 2], [3, 4], [5]]
        self.next(self.label, foreach="batches")

    @mf.retry(times=1)
    @mf.step
    def label(self):
        self.labels = [f"{self.prefix}-{n}" for n in self.input[:BATCH_SIZE]]
        self.next(self.join)

    @mf.step
    def join(self, inputs):
        self.all_labels = [label for task in inputs for label in task.labels]
        self.next(self.end)

    @mf.step
    def end(self):
        print(", ".join(self.all_labels))


if __name__ == "__main__":
    MetaflowCompatFlow()
