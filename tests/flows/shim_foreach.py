"""Shim test flow: typed parameters, a foreach over three items, its join and the end step."""

import os
import subprocess
import sys

from flowc import FlowSpec, Parameter, current, environment, step


class ShimForeachFlow(FlowSpec):
    """start fans out over three words; body measures each; join collects; end sums."""

    scale = Parameter("scale", default=2, type=int, help="multiplies each size")
    label = Parameter("label", default="x", help="a plain string")
    colors = Parameter("colors", default="red,green", separator=",", help="a list by separator")

    @step
    def start(self):
        self.items = ["a", "bb", "ccc"]
        self.context = {
            "flow": current.flow_name,
            "run": current.run_id,
            "step": current.step_name,
            "task": current.task_id,
            "pathspec": current.pathspec,
            "retry": current.retry_count,
            "running": current.is_running_flow,
            "tempdir": os.path.isdir(current.tempdir),
        }
        print("start says hello")
        print("start warns", file=sys.stderr)
        sys.stdout.flush()
        subprocess.run([sys.executable, "-c", "print('from a child process')"], check=True)
        os.write(1, b"raw fd write\n")
        self.next(self.body, foreach="items")

    @environment(vars={"SHIM_TEST_MODE": "on"})
    @step
    def body(self):
        self.item = self.input
        self.position = self.index
        self.stack = self.foreach_stack()
        self.size = len(self.input) * self.scale
        self.mode = os.environ.get("SHIM_TEST_MODE")
        self.task = current.task_id
        self.next(self.join)

    @step
    def join(self, inputs):
        self.sizes = [task.size for task in inputs]
        self.items_seen = [task.item for task in inputs]
        self.count = len(inputs)
        self.first = inputs[0].item
        self.scale_in_join = self.scale
        self.merge_artifacts(inputs, include=["mode"])
        self.next(self.end)

    @step
    def end(self):
        self.total = sum(self.sizes)
        print(f"total {self.total}")


if __name__ == "__main__":
    ShimForeachFlow()
