"""Targets: one module (or package) per system flowc runs flows on, and a registry by name.

`get_target("local")` imports the target lazily; an unknown name raises `UnknownTarget` with a
"did you mean" hint. The Target protocol and the shim command line live in `flowc.targets.base`.
"""

from __future__ import annotations

import difflib
import importlib
from typing import Any

# name -> "module:Class"; a target registers here when it lands.
REGISTRY: dict[str, str] = {
    "local": "flowc.targets.local.target:LocalTarget",
}


class UnknownTarget(KeyError):
    """A target name that is not in the registry."""

    def __str__(self) -> str:
        return str(self.args[0])


def get_target(name: str) -> Any:
    """The target class registered as `name`."""
    spec = REGISTRY.get(name)
    if spec is None:
        close = difflib.get_close_matches(name, REGISTRY, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise UnknownTarget(f"Unknown target '{name}'.{hint}")
    module_name, _, class_name = spec.partition(":")
    return getattr(importlib.import_module(module_name), class_name)
