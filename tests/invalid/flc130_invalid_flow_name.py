from flowc import FlowSpec, step


class ÜnicødeFlöw(FlowSpec):  # error: [FLC130]
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
