"""An event-triggered flow: @trigger on the class starts a run when the event arrives."""

from flowc import FlowSpec, Parameter, project, step, trigger


@project(name="sales_reports")
@trigger(event="sales_data_ready")
class EventTriggerFlow(FlowSpec):
    """Started by the `sales_data_ready` event; the event can set the `table` parameter."""

    table = Parameter("table", default="daily_sales", help="the table that changed")

    @step
    def start(self):
        self.report_name = f"report_for_{self.table}"
        self.next(self.end)

    @step
    def end(self):
        print(self.report_name)


if __name__ == "__main__":
    EventTriggerFlow()
