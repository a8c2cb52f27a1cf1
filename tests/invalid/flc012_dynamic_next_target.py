from flowc import FlowSpec, step


class DynamicTargetFlow(FlowSpec):
    @step
    def start(self):
        self.next(getattr(self, "end"))  # error: [FLC012]

    @step
    def end(self):
        pass
