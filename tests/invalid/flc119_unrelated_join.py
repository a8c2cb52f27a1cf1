from flowc import FlowSpec, step


class CrossJoinFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b)

    @step
    def a(self):
        self.next(self.a1, self.a2)

    @step
    def b(self):
        self.next(self.b1, self.b2)

    @step
    def a1(self):
        self.next(self.cross1)

    @step
    def a2(self):
        self.next(self.cross2)

    @step
    def b1(self):
        self.next(self.cross1)

    @step
    def b2(self):
        self.next(self.cross2)

    @step
    def cross1(self, inputs):  # error: [FLC119]
        self.next(self.join)

    @step
    def cross2(self, inputs):  # error: [FLC119]
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
