from flowc import FlowSpec, step


class WideFlow(FlowSpec):
    @step
    def start(self):
        self.next(  # error: [FLC302]
            self.b000,
            self.b001,
            self.b002,
            self.b003,
            self.b004,
            self.b005,
            self.b006,
            self.b007,
            self.b008,
            self.b009,
            self.b010,
            self.b011,
            self.b012,
            self.b013,
            self.b014,
            self.b015,
            self.b016,
            self.b017,
            self.b018,
            self.b019,
            self.b020,
            self.b021,
            self.b022,
            self.b023,
            self.b024,
            self.b025,
            self.b026,
            self.b027,
            self.b028,
            self.b029,
            self.b030,
            self.b031,
            self.b032,
            self.b033,
            self.b034,
            self.b035,
            self.b036,
            self.b037,
            self.b038,
            self.b039,
            self.b040,
            self.b041,
            self.b042,
            self.b043,
            self.b044,
            self.b045,
            self.b046,
            self.b047,
            self.b048,
            self.b049,
            self.b050,
            self.b051,
            self.b052,
            self.b053,
            self.b054,
            self.b055,
            self.b056,
            self.b057,
            self.b058,
            self.b059,
            self.b060,
            self.b061,
            self.b062,
            self.b063,
            self.b064,
            self.b065,
            self.b066,
            self.b067,
            self.b068,
            self.b069,
            self.b070,
            self.b071,
            self.b072,
            self.b073,
            self.b074,
            self.b075,
            self.b076,
            self.b077,
            self.b078,
            self.b079,
            self.b080,
            self.b081,
            self.b082,
            self.b083,
            self.b084,
            self.b085,
            self.b086,
            self.b087,
            self.b088,
            self.b089,
            self.b090,
            self.b091,
            self.b092,
            self.b093,
            self.b094,
            self.b095,
            self.b096,
            self.b097,
            self.b098,
            self.b099,
            self.b100,
        )

    @step
    def b000(self):
        self.next(self.join)

    @step
    def b001(self):
        self.next(self.join)

    @step
    def b002(self):
        self.next(self.join)

    @step
    def b003(self):
        self.next(self.join)

    @step
    def b004(self):
        self.next(self.join)

    @step
    def b005(self):
        self.next(self.join)

    @step
    def b006(self):
        self.next(self.join)

    @step
    def b007(self):
        self.next(self.join)

    @step
    def b008(self):
        self.next(self.join)

    @step
    def b009(self):
        self.next(self.join)

    @step
    def b010(self):
        self.next(self.join)

    @step
    def b011(self):
        self.next(self.join)

    @step
    def b012(self):
        self.next(self.join)

    @step
    def b013(self):
        self.next(self.join)

    @step
    def b014(self):
        self.next(self.join)

    @step
    def b015(self):
        self.next(self.join)

    @step
    def b016(self):
        self.next(self.join)

    @step
    def b017(self):
        self.next(self.join)

    @step
    def b018(self):
        self.next(self.join)

    @step
    def b019(self):
        self.next(self.join)

    @step
    def b020(self):
        self.next(self.join)

    @step
    def b021(self):
        self.next(self.join)

    @step
    def b022(self):
        self.next(self.join)

    @step
    def b023(self):
        self.next(self.join)

    @step
    def b024(self):
        self.next(self.join)

    @step
    def b025(self):
        self.next(self.join)

    @step
    def b026(self):
        self.next(self.join)

    @step
    def b027(self):
        self.next(self.join)

    @step
    def b028(self):
        self.next(self.join)

    @step
    def b029(self):
        self.next(self.join)

    @step
    def b030(self):
        self.next(self.join)

    @step
    def b031(self):
        self.next(self.join)

    @step
    def b032(self):
        self.next(self.join)

    @step
    def b033(self):
        self.next(self.join)

    @step
    def b034(self):
        self.next(self.join)

    @step
    def b035(self):
        self.next(self.join)

    @step
    def b036(self):
        self.next(self.join)

    @step
    def b037(self):
        self.next(self.join)

    @step
    def b038(self):
        self.next(self.join)

    @step
    def b039(self):
        self.next(self.join)

    @step
    def b040(self):
        self.next(self.join)

    @step
    def b041(self):
        self.next(self.join)

    @step
    def b042(self):
        self.next(self.join)

    @step
    def b043(self):
        self.next(self.join)

    @step
    def b044(self):
        self.next(self.join)

    @step
    def b045(self):
        self.next(self.join)

    @step
    def b046(self):
        self.next(self.join)

    @step
    def b047(self):
        self.next(self.join)

    @step
    def b048(self):
        self.next(self.join)

    @step
    def b049(self):
        self.next(self.join)

    @step
    def b050(self):
        self.next(self.join)

    @step
    def b051(self):
        self.next(self.join)

    @step
    def b052(self):
        self.next(self.join)

    @step
    def b053(self):
        self.next(self.join)

    @step
    def b054(self):
        self.next(self.join)

    @step
    def b055(self):
        self.next(self.join)

    @step
    def b056(self):
        self.next(self.join)

    @step
    def b057(self):
        self.next(self.join)

    @step
    def b058(self):
        self.next(self.join)

    @step
    def b059(self):
        self.next(self.join)

    @step
    def b060(self):
        self.next(self.join)

    @step
    def b061(self):
        self.next(self.join)

    @step
    def b062(self):
        self.next(self.join)

    @step
    def b063(self):
        self.next(self.join)

    @step
    def b064(self):
        self.next(self.join)

    @step
    def b065(self):
        self.next(self.join)

    @step
    def b066(self):
        self.next(self.join)

    @step
    def b067(self):
        self.next(self.join)

    @step
    def b068(self):
        self.next(self.join)

    @step
    def b069(self):
        self.next(self.join)

    @step
    def b070(self):
        self.next(self.join)

    @step
    def b071(self):
        self.next(self.join)

    @step
    def b072(self):
        self.next(self.join)

    @step
    def b073(self):
        self.next(self.join)

    @step
    def b074(self):
        self.next(self.join)

    @step
    def b075(self):
        self.next(self.join)

    @step
    def b076(self):
        self.next(self.join)

    @step
    def b077(self):
        self.next(self.join)

    @step
    def b078(self):
        self.next(self.join)

    @step
    def b079(self):
        self.next(self.join)

    @step
    def b080(self):
        self.next(self.join)

    @step
    def b081(self):
        self.next(self.join)

    @step
    def b082(self):
        self.next(self.join)

    @step
    def b083(self):
        self.next(self.join)

    @step
    def b084(self):
        self.next(self.join)

    @step
    def b085(self):
        self.next(self.join)

    @step
    def b086(self):
        self.next(self.join)

    @step
    def b087(self):
        self.next(self.join)

    @step
    def b088(self):
        self.next(self.join)

    @step
    def b089(self):
        self.next(self.join)

    @step
    def b090(self):
        self.next(self.join)

    @step
    def b091(self):
        self.next(self.join)

    @step
    def b092(self):
        self.next(self.join)

    @step
    def b093(self):
        self.next(self.join)

    @step
    def b094(self):
        self.next(self.join)

    @step
    def b095(self):
        self.next(self.join)

    @step
    def b096(self):
        self.next(self.join)

    @step
    def b097(self):
        self.next(self.join)

    @step
    def b098(self):
        self.next(self.join)

    @step
    def b099(self):
        self.next(self.join)

    @step
    def b100(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
