from flowc import FlowSpec, step


class BaseFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train)  # error: [FLC114]

    @step
    def train(self):
        self.next(self.end)

    @step
    def end(self):
        pass


class HiddenStepFlow(BaseFlow):
    # A plain method of the same name hides the base step, as attribute lookup does.
    def train(self):
        pass
