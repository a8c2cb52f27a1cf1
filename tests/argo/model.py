"""What the local Argo executor reports: the workflow phase and one record per node, named the
way Argo names nodes (`wf.A`, `wf.A(0:foo)`, `wf[0].flip`), with phases, outputs and logs."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SUCCEEDED, FAILED, ERROR, SKIPPED, OMITTED = "Succeeded", "Failed", "Error", "Skipped", "Omitted"


@dataclass(frozen=True, slots=True, kw_only=True)
class Attempt:
    """One pod run of a leaf node (a retry is another attempt)."""

    retry: int
    phase: str
    exit_code: int | None
    logs: str
    message: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeResult:
    """One node: a task, a fanned-out child, a step, or a DAG/steps boundary."""

    name: str
    template: str
    phase: str
    kind: str  # Pod, DAG, Steps, TaskGroup, Skipped
    exit_code: int | None = None
    parameters: tuple[tuple[str, str], ...] = ()
    result: str | None = None
    message: str = ""
    attempts: tuple[Attempt, ...] = ()

    @property
    def outputs(self) -> dict[str, str]:
        return dict(self.parameters)

    @property
    def logs(self) -> str:
        return self.attempts[-1].logs if self.attempts else ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Submission:
    """What a run was started from, kept so that `argo.retry` can run the same workflow."""

    document: dict[str, Any]
    arguments: dict[str, str]
    templates: tuple[dict[str, Any], ...]
    env: dict[str, str]
    path_prefix: str
    shared_paths: tuple[Path, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Result:
    """A finished run: its name, phase, message and every node by Argo node name."""

    workflow_name: str
    phase: str
    message: str
    nodes: dict[str, NodeResult]
    workdir: Path
    submission: Submission | None = None

    def node(self, relative_name: str) -> NodeResult:
        """The node named `<workflow name>.<relative_name>` (or the root for "")."""
        name = self.workflow_name + (
            ("." + relative_name) if relative_name and relative_name[0] != "[" else relative_name
        )
        if name not in self.nodes:
            known = ", ".join(sorted(self.nodes))
            raise KeyError(f"no node {name!r}; nodes: {known}")
        return self.nodes[name]

    def phases(self) -> dict[str, str]:
        """`{relative node name: phase}` for every node but the root."""
        prefix = len(self.workflow_name)
        return {
            n[prefix:].lstrip("."): r.phase
            for n, r in sorted(self.nodes.items())
            if n != self.workflow_name
        }


@dataclass(slots=True, kw_only=True)
class NodeStore:
    """The executor's thread-safe collection of finished nodes."""

    nodes: dict[str, NodeResult] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, node: NodeResult) -> NodeResult:
        with self.lock:
            self.nodes[node.name] = node
        return node
