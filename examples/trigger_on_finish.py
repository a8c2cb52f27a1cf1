"""A downstream flow: @trigger_on_finish starts it each time another flow finishes."""

from flowc import FlowSpec, project, step, trigger_on_finish


@project(name="sales_reports")
@trigger_on_finish(flow="EventTriggerFlow")
class TriggerOnFinishFlow(FlowSpec):
    """Runs after every successful EventTriggerFlow run of the same project."""

    @step
    def start(self):
        self.channels = ["email", "chat"]
        self.next(self.notify)

    @step
    def notify(self):
        self.notices = [f"report ready via {channel}" for channel in self.channels]
        self.next(self.end)

    @step
    def end(self):
        print("\n".join(self.notices))


if __name__ == "__main__":
    TriggerOnFinishFlow()
