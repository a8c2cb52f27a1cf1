"""An artifact whose class the flow file defines (pickled as flowc_flow_<stem>.Point)."""

from dataclasses import dataclass

from metaflow import FlowSpec, step


@dataclass
class Point:
    x: int
    y: int


class FlowClassArtifactFlow(FlowSpec):
    @step
    def start(self):
        self.point = Point(1, 2)
        self.next(self.end)

    @step
    def end(self):
        self.moved = Point(self.point.x + 1, self.point.y)


if __name__ == "__main__":
    raise SystemExit("the __main__ block must not run when the client imports this file")
