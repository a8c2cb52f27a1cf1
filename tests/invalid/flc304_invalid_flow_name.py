from flowc import FlowSpec, step


class ÜnicødeFlöw(FlowSpec):  # error: [FLC304]
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
