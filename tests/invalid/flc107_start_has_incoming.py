from flowc import FlowSpec, step


class StartLoopFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.check)

    @step
    def check(self):
        self.again = False
        self.next({"yes": self.start, "no": self.end}, condition="again")  # error: [FLC107]

    @step
    def end(self):
        pass
