"""Targets: one module (or package) per system flowc puts flows on, and a registry by name.

`get_target("argo")` imports the target lazily; an unknown name raises `UnknownTarget` with a
"did you mean" hint. `TargetBase`, `Emitter` and the shim command line live in
`flowc.targets.base`; what a target can express, in `flowc.targets.capabilities`.
"""

from __future__ import annotations

import difflib
import importlib
from typing import Any

# name -> "module:Class", in the order `flowc compile --target all` writes them.
REGISTRY: dict[str, str] = {
    "argo": "flowc.targets.argo:ArgoTarget",
    "sfn": "flowc.targets.sfn:SfnTarget",
    "airflow": "flowc.targets.airflow:AirflowTarget",
    "ir": "flowc.targets.ir:IRTarget",
    "mermaid": "flowc.targets.pictures:MermaidPicture",
    "dot": "flowc.targets.pictures:DotPicture",
    "local": "flowc.targets.local.target:LocalTarget",
}
# The targets `flowc compile` writes files for (the others run flows: `flowc run`).
COMPILE_TARGETS: tuple[str, ...] = ("argo", "sfn", "airflow", "ir", "mermaid", "dot")


class UnknownTarget(KeyError):
    """A target name that is not in the registry (or not among the names asked for)."""

    def __str__(self) -> str:
        return str(self.args[0])


def suggest(name: str, known: tuple[str, ...] | list[str]) -> str:
    """"unknown target 'agro'; did you mean 'argo'?" (or the list of known names)."""
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f"unknown target '{name}'; did you mean '{close[0]}'?"
    return f"unknown target '{name}'; the targets are {', '.join(known)}"


def get_target(name: str, among: tuple[str, ...] | None = None) -> Any:
    """The target class registered as `name` (and one of `among`, when given)."""
    known = list(among if among is not None else REGISTRY)
    if name not in known:
        raise UnknownTarget(suggest(name, known))
    module_name, _, class_name = REGISTRY[name].partition(":")
    return getattr(importlib.import_module(module_name), class_name)
