from flowc import FlowSpec, catch, retry, schedule, step, timeout


@retry(times=1)  # error: [FLC030]
class MisplacedFlow(FlowSpec):
    @catch(var="error")  # error: [FLC030]
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.body, foreach="items")

    @schedule(hourly=True)  # error: [FLC030]
    @step
    def body(self):
        self.next(self.join)

    @timeout(60)  # error: [FLC030]
    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
