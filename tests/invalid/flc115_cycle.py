from flowc import FlowSpec, step


class CycleFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a)

    @step
    def a(self):
        self.next(self.b)

    @step
    def b(self):
        self.retry = False
        self.next({"again": self.a, "done": self.end}, condition="retry")  # error: [FLC115]

    @step
    def end(self):
        pass
