from flowc import FlowSpec, step


class LongNameFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.ssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss)

    @step
    def ssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss(self):  # error: [FLC301]
        self.next(self.end)

    @step
    def end(self):
        pass
