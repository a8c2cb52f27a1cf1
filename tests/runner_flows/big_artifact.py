"""Saves one large bytes artifact, for the kill-while-saving fault test."""

from flowc import FlowSpec, Parameter, step


class BigArtifactFlow(FlowSpec):
    megabytes = Parameter("megabytes", default=200, type=int)

    @step
    def start(self):
        self.payload = bytes(range(256)) * (self.megabytes * 4096)
        self.next(self.end)

    @step
    def end(self):
        self.size = len(self.payload)
