from flowc import FlowSpec, step


class AsyncStepFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.fetch)

    @step
    async def fetch(self):  # error: [FLC041]
        self.next(self.end)

    @step
    def end(self):
        pass
