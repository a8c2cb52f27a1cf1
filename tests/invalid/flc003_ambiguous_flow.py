from flowc import FlowSpec, step


class FirstFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


class SecondFlow(FlowSpec):  # error: [FLC003]
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
