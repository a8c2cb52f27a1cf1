"""The results client under its public name: `from flowc.client import Flow` (also
`from flowc import Flow`).

It lives in `flowc.runtime_shim.client` so that a task, which may carry only the runtime shim, can
read results too (`from metaflow import Flow` under the `metaflow` alias).
"""

from flowc.runtime_shim.client import *  # noqa: F403
from flowc.runtime_shim.client import __all__ as __all__
