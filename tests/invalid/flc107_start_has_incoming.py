from flowc import FlowSpec, step


class StartLoopFlow(FlowSpec):
    @step
    def start(self):  # error: [FLC107]
        self.next(self.check)

    @step
    def check(self):
        self.again = False
        self.next({"yes": self.start, "no": self.end}, condition="again")  # error: [FLC115]

    @step
    def end(self):
        pass
