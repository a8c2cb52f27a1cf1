from flowc import FlowSpec, step


class NoEndFlow(FlowSpec):  # error: [FLC103]
    @step
    def start(self):
        self.next(self.finish)

    @step
    def finish(self):
        pass
