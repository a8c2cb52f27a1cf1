"""A foreach inside one branch of a static split; the outer join reads `inputs.<step>` for
the foreach's join and the plain branch, and merges artifacts of several types, one of which
the join sets itself to settle a conflict."""

from flowc import FlowSpec, step


class DiffForeachInSplitFlow(FlowSpec):
    @step
    def start(self):
        self.shared = {"a": (1, 2), "b": frozenset({3})}
        self.next(self.fan, self.plain)

    @step
    def fan(self):
        self.letters = ("u", "v", "w")  # a tuple
        self.conflict = "from fan"
        self.next(self.body, foreach="letters")

    @step
    def body(self):
        self.letter = self.input * (self.index + 1)
        self.next(self.gather)

    @step
    def gather(self, inputs):
        self.joined = "".join(task.letter for task in inputs)
        self.merge_artifacts(inputs, exclude=["letter"])
        self.next(self.meet)

    @step
    def plain(self):
        self.conflict = "from plain"
        self.blob = b"\x00\x01"
        self.nothing = None
        self.next(self.meet)

    @step
    def meet(self, inputs):
        self.both = (inputs.gather.joined, inputs.plain.blob)
        self.conflict = "settled"
        self.merge_artifacts(inputs)
        self.next(self.end)

    @step
    def end(self):
        self.final = (self.shared, self.letters, self.joined, self.nothing, self.conflict)


if __name__ == "__main__":
    DiffForeachInSplitFlow()
