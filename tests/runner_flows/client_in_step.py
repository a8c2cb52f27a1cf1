"""A step that reads results with Metaflow's client names (the tutorials' playlist-redux does)."""

from metaflow import Flow, FlowSpec, current, get_metadata, namespace, step


class ClientInStepFlow(FlowSpec):
    @step
    def start(self):
        namespace(None)
        self.where = get_metadata()
        self.own_status = Flow(current.flow_name)[current.run_id].status
        self.next(self.end)

    @step
    def end(self):
        self.start_saw = Flow(current.flow_name)[current.run_id]["start"].task.data.own_status


if __name__ == "__main__":
    ClientInStepFlow()
