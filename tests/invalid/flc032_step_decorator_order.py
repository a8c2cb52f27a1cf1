from flowc import FlowSpec, retry, step


class OrderFlow(FlowSpec):
    @step  # error: [FLC032]
    @retry(times=1)
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
