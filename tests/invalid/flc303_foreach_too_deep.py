from flowc import FlowSpec, step


class DeepFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1]
        self.next(self.l1, foreach="items")

    @step
    def l1(self):
        self.next(self.l2, foreach="items")

    @step
    def l2(self):
        self.next(self.l3, foreach="items")

    @step
    def l3(self):
        self.next(self.l4, foreach="items")

    @step
    def l4(self):
        self.next(self.l5, foreach="items")  # error: [FLC303]

    @step
    def l5(self):
        self.next(self.j4)

    @step
    def j4(self, inputs):
        self.next(self.j3)

    @step
    def j3(self, inputs):
        self.next(self.j2)

    @step
    def j2(self, inputs):
        self.next(self.j1)

    @step
    def j1(self, inputs):
        self.next(self.j0)

    @step
    def j0(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
