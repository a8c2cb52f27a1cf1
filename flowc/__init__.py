"""flowc's public face: the authoring API users import (`from flowc import FlowSpec, step`).

Light to import: the names come from the runtime shim's authoring API (standard library
only); the results client (`Flow`, `Run`, ...) is loaded on first use.
"""

from typing import Any

from flowc.runtime_shim.api import (
    FlowSpec,
    JSONType,
    Parameter,
    batch,
    catch,
    current,
    environment,
    kubernetes,
    parallel,
    project,
    resources,
    retry,
    schedule,
    secrets,
    step,
    timeout,
    trigger,
    trigger_on_finish,
)

__all__ = [
    "Flow",
    "FlowSpec",
    "JSONType",
    "Parameter",
    "Run",
    "Step",
    "Task",
    "batch",
    "catch",
    "current",
    "environment",
    "kubernetes",
    "parallel",
    "project",
    "resources",
    "retry",
    "schedule",
    "secrets",
    "step",
    "timeout",
    "trigger",
    "trigger_on_finish",
]

_CLIENT_NAMES = {"Flow", "Run", "Step", "Task", "namespace"}


def __getattr__(name: str) -> Any:
    if name in _CLIENT_NAMES:
        from flowc import client

        return getattr(client, name)
    raise AttributeError(f"module 'flowc' has no attribute {name!r}")
