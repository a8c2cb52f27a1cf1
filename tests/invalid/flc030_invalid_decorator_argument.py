from flowc import FlowSpec, resources, retry, schedule, step


@schedule(daily="yes")  # error: [FLC030]
class BadArgumentsFlow(FlowSpec):
    @retry(tries=3)  # error: [FLC030]
    @step
    def start(self):
        self.next(self.a)

    @resources(memory="4GB", cpu=0)  # error: [FLC030]
    @step
    def a(self):
        self.next(self.end)

    @step
    def end(self):
        pass
