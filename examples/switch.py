"""A switch: a step chooses at run time which one of several steps runs next."""

from flowc import FlowSpec, Parameter, step


class SwitchFlow(FlowSpec):
    """start sets `band` from a parameter; exactly one of three steps runs; all lead to end."""

    temperature = Parameter("temperature", default=31, type=int, help="degrees Celsius")

    @step
    def start(self):
        if self.temperature >= 25:
            self.band = "hot"
        elif self.temperature >= 10:
            self.band = "mild"
        else:
            self.band = "cold"
        self.next(
            {"hot": self.cool_down, "mild": self.relax, "cold": self.warm_up},
            condition="band",
        )

    @step
    def cool_down(self):
        self.action = "open the windows"
        self.next(self.end)

    @step
    def relax(self):
        self.action = "do nothing"
        self.next(self.end)

    @step
    def warm_up(self):
        self.action = "light the fire"
        self.next(self.end)

    @step
    def end(self):
        print(f"{self.temperature} C is {self.band}: {self.action}")


if __name__ == "__main__":
    SwitchFlow()
