"""A num_parallel gang: the local runner refuses it with FLC201."""

from flowc import FlowSpec, parallel, step


class ParFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.work, num_parallel=2)

    @parallel
    @step
    def work(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
