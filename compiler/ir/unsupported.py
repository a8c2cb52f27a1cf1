"""Metaflow's flow-level inputs other than `Parameter`, which flowc cannot hand to a task, and
what to do instead. The frontend reports them (FLC026) and the runtime's `metaflow` alias
refuses them; the table lives in the IR package because both may import it.
"""

from __future__ import annotations

from types import MappingProxyType

UNSUPPORTED_FLOW_INPUTS = MappingProxyType({
    "IncludeFile": "pass the file's path as a Parameter and read the file in the start step",
    "Config": "use a Parameter with type=JSONType instead",
})
