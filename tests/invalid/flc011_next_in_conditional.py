from flowc import FlowSpec, step


class ConditionalNextFlow(FlowSpec):
    @step
    def start(self):
        self.x = 1
        if self.x:
            self.next(self.a)  # error: [FLC011]
        else:
            self.next(self.end)  # error: [FLC011]

    @step
    def a(self):
        self.next(self.end)

    @step
    def end(self):
        pass
