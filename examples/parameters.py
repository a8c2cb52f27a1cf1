"""Parameters of every type: str, int, float, bool, JSON, a list by separator, a required one."""

from flowc import FlowSpec, JSONType, Parameter, step

DEFAULT_COUNT = 3


class ParametersFlow(FlowSpec):
    """Parameters become artifacts of the start step; every one here has a default."""

    greeting = Parameter("greeting", default="hello", type=str, help="the word to repeat")
    count = Parameter("count", default=DEFAULT_COUNT, type=int, help="how many times")
    ratio = Parameter("ratio", default=0.5, type=float, help="scale applied to count")
    shout = Parameter("shout", default=False, type=bool, help="upper-case the message")
    style = Parameter(
        "style",
        default='{"sep": "-", "suffix": "!"}',
        type=JSONType,
        help="how to join the words, as JSON",
    )
    colors = Parameter("colors", default="red,green,blue", separator=",", help="comma-separated")
    owner = Parameter("owner", default="ada", required=True, help="who runs this")

    @step
    def start(self):
        words = [self.greeting] * self.count
        message = self.style["sep"].join(words) + self.style["suffix"]
        self.message = message.upper() if self.shout else message
        self.scaled = self.count * self.ratio
        self.color_count = len(self.colors)
        self.next(self.end)

    @step
    def end(self):
        print(f"{self.owner}: {self.message} (scaled {self.scaled}, {self.color_count} colors)")


if __name__ == "__main__":
    ParametersFlow()
