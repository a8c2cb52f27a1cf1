"""A switch and a switch loop inside the branches of a static split; the join reads
`inputs.<step>` for the step that arrives from each branch and merges the rest."""

from flowc import FlowSpec, Parameter, step


class DiffSwitchInSplitFlow(FlowSpec):
    mode = Parameter("mode", default="y")

    @step
    def start(self):
        self.common = {"k": [1, 2]}
        self.next(self.choose, self.repeat)

    @step
    def choose(self):
        self.picked = self.mode
        self.next({"x": self.case_x, "y": self.case_y}, condition="picked")

    @step
    def case_x(self):
        self.value = "x ran"
        self.next(self.after_choice)

    @step
    def case_y(self):
        self.value = "y ran"
        self.next(self.after_choice)

    @step
    def after_choice(self):
        self.choice_seen = (self.picked, self.value)
        self.next(self.join)

    @step
    def repeat(self):
        self.turns = getattr(self, "turns", 0) + 1
        self.trail = getattr(self, "trail", ()) + (self.turns,)
        self.go = "more" if self.turns < 4 else "stop"
        self.next({"more": self.repeat, "stop": self.after_repeat}, condition="go")

    @step
    def after_repeat(self):
        self.value = "repeat ran"
        self.next(self.join)

    @step
    def join(self, inputs):
        self.from_choice = inputs.after_choice.choice_seen
        self.from_repeat = inputs.after_repeat.trail
        self.order = [task.value for task in inputs]
        self.merge_artifacts(inputs, exclude=["value"])
        self.next(self.end)

    @step
    def end(self):
        self.final = (self.common, self.picked, self.turns, self.from_choice, self.from_repeat)


if __name__ == "__main__":
    DiffSwitchInSplitFlow()
