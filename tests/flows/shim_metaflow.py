"""Shim test flow written against Metaflow's names (aliased to flowc's API by the shim)."""

import metaflow as mf
from metaflow import FlowSpec, Parameter, card, current, step


class ShimMetaflowFlow(FlowSpec):
    """Uses `from metaflow import ...`, `import metaflow as mf` and an unknown decorator."""

    n = Parameter("n", default=2, type=int)

    @card
    @step
    def start(self):
        self.values = list(range(self.n))
        self.where = current.step_name
        self.next(self.end)

    @mf.retry(times=1)
    @mf.step
    def end(self):
        import metaflow

        self.alias = getattr(metaflow, "__flowc_alias__", False)
