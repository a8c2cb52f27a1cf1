"""A switch loop inside a foreach over a list of dicts: each item loops a different number of
times; the join reads `inputs` order, each loop's history and the last iteration's values."""

from flowc import FlowSpec, current, step


class DiffLoopInForeachFlow(FlowSpec):
    @step
    def start(self):
        self.jobs = [{"name": "c", "rounds": 3}, {"name": "a", "rounds": 1},
                     {"name": "b", "rounds": 2}]
        self.seen_by = []
        self.next(self.prepare, foreach="jobs")

    @step
    def prepare(self):
        self.job = self.input
        self.counter = 0
        self.history = []
        self.position = self.index
        self.next(self.spin)

    @step
    def spin(self):
        """Loops to itself `rounds` times; each iteration sees the one before."""
        self.counter += 1
        self.history = self.history + [(self.job["name"], self.counter, self.index)]
        self.stack = self.foreach_stack()
        self.loop_input = self.input
        self.where = current.step_name
        self.state = "again" if self.counter < self.job["rounds"] else "done"
        self.next({"again": self.spin, "done": self.settle}, condition="state")

    @step
    def settle(self):
        self.summary = f"{self.job['name']}:{self.counter}"
        self.next(self.join)

    @step
    def join(self, inputs):
        self.summaries = [task.summary for task in inputs]
        self.by_step = inputs.settle.summary  # several inputs from `settle`: the last one
        self.histories = {task.job["name"]: task.history for task in inputs}
        self.positions = [task.position for task in inputs]
        self.total_rounds = sum(task.counter for task in inputs)
        self.next(self.end)

    @step
    def end(self):
        self.done = (self.summaries, self.total_rounds)


if __name__ == "__main__":
    DiffLoopInForeachFlow()
