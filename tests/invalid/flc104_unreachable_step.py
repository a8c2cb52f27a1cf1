from flowc import FlowSpec, step


class OrphanFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def orphan(self):  # error: [FLC104]
        self.next(self.end)

    @step
    def end(self):
        pass
