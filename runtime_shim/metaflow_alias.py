"""A `metaflow` module that is flowc's authoring API, for flows written against Metaflow.

Installed in `sys.modules` before a flow that imports `metaflow` is loaded, so
`from metaflow import FlowSpec, step`, `import metaflow as mf` and `@mf.step` all resolve to
flowc's names. Metaflow's client names (`Flow`, `Run`, `namespace`, `get_metadata`, ...)
are flowc's results client, imported on first use and reading the task's datastore. A
lowercase name flowc does not know (`@card`, `@conda`, `@pypi`) is a decorator that records
itself and changes nothing, as the compiler keeps it opaque.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from flowc.compiler.ir.unsupported import UNSUPPORTED_FLOW_INPUTS
from flowc.runtime_shim import api
from flowc.runtime_shim.decorators import recording_decorator

ALIAS_NAME = "metaflow"

_MODULE_DOC = "flowc's authoring API under Metaflow's name (installed by the flowc runtime shim)."


# Metaflow's client API that flowc's client (runtime_shim/client.py) provides
CLIENT_NAMES = frozenset({"DataArtifact", "Flow", "Run", "Step", "Task", "get_metadata",
                          "get_namespace", "namespace"})


def _unsupported(name: str) -> Any:
    """Metaflow's flow-level names flowc cannot run (`flowc check` reports them as FLC026):
    importing one works, so that the error names the construct rather than saying "cannot
    import name"; using one raises NotImplementedError with what to do instead."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"flowc does not support metaflow.{name}: "
                                  f"{UNSUPPORTED_FLOW_INPUTS[name]}")

    refuse.__name__ = refuse.__qualname__ = name
    return refuse


def _opaque_decorators(module: types.ModuleType) -> Any:
    def module_getattr(name: str) -> Any:
        if name in CLIENT_NAMES:  # imported only when a flow uses the client
            from flowc.runtime_shim import client

            value = getattr(client, name)
            setattr(module, name, value)
            return value
        if name in UNSUPPORTED_FLOW_INPUTS:
            return _unsupported(name)
        if name.startswith("_") or not name.isidentifier() or not name.islower():
            raise AttributeError(f"module 'metaflow' (flowc alias) has no attribute {name!r}")
        decorator = recording_decorator(name)
        setattr(module, name, decorator)
        return decorator

    return module_getattr


def build_alias() -> types.ModuleType:
    """A fresh module exposing the authoring API (and opaque decorators on demand)."""
    module = types.ModuleType(ALIAS_NAME, _MODULE_DOC)
    for name in api.__all__:
        setattr(module, name, getattr(api, name))
    module.__all__ = list(api.__all__)  # type: ignore[attr-defined]
    module.__flowc_alias__ = True  # type: ignore[attr-defined]
    setattr(module, "__getattr__", _opaque_decorators(module))  # noqa: B010
    return module


def install() -> types.ModuleType:
    """Put the alias in `sys.modules['metaflow']` (replacing nothing already aliased).

    A real Metaflow already imported in this process is replaced: inside a flowc task the
    flow's `metaflow` must be flowc's.
    """
    existing = sys.modules.get(ALIAS_NAME)
    if existing is not None and getattr(existing, "__flowc_alias__", False):
        return existing
    module = build_alias()
    sys.modules[ALIAS_NAME] = module
    return module


def is_installed() -> bool:
    return bool(getattr(sys.modules.get(ALIAS_NAME), "__flowc_alias__", False))
