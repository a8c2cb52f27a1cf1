"""`flowc resume`: which tasks of an earlier run a new run may reuse, and reusing them.

A task is reused when the origin run has its record and its step comes before the failure
point in topological order and is not downstream of it. The failure point is `--from STEP`,
else the origin run's first failed step (recorded in its run.json); a run that recorded no
failure (it was killed) reuses every task that has a record. Reusing writes a new record
in the new run that points at the same blobs (content-addressed and shared by the flow), so
nothing is copied. Tasks the origin run never finished (no record: failed, killed, never
started) simply run again.
Without a new flow file, the origin run's code package is unpacked and its IR re-used.
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

from flowc.compiler.ir import loads
from flowc.compiler.ir.graph import FlowGraph
from flowc.compiler.pipeline import CheckedFlow
from flowc.runtime_shim import codepkg
from flowc.runtime_shim.datastore.base import Datastore, DatastoreError
from flowc.runtime_shim.outputs import orchestrator_outputs
from flowc.runtime_shim.records import TaskRecord, TaskStore
from flowc.targets.local.plan import Outputs, TaskKey


class ResumeError(ValueError):
    """A resume request that cannot be honoured (unknown run or step)."""


def downstream(graph: FlowGraph, step: str) -> frozenset[str]:
    """`step` and every step reachable from it."""
    if step not in graph:
        known = ", ".join(graph.topological_order)
        raise ResumeError(f"no step named '{step}' in this flow (steps: {known})")
    seen = {step}
    stack = [step]
    while stack:
        for target in graph[stack.pop()].out_steps:
            if target in graph and target not in seen:
                seen.add(target)
                stack.append(target)
    return frozenset(seen)


def rerun_steps(graph: FlowGraph, step: str) -> frozenset[str]:
    """What `--from step` re-runs: `step`, everything downstream of it, and every step that
    does not come before it in topological order (so only earlier steps are reused)."""
    order = graph.topological_order
    later = order[order.index(step):] if step in order else ()
    return downstream(graph, step) | frozenset(later)


def outputs_of(record: TaskRecord) -> Outputs:
    """The outputs a task with this record printed: the shim's own pure function of it."""
    return Outputs.from_data(orchestrator_outputs(record))


def first_failed_step(graph: FlowGraph, failed_steps: tuple[str, ...]) -> str | None:
    """The failure point of a run: its earliest failed step in topological order."""
    failed = set(failed_steps)
    return next((name for name in graph.topological_order if name in failed), None)


class Reuser:
    """Called by the scheduler before launching a task: its outputs if reused, else None."""

    def __init__(self, store: TaskStore, origin_run_id: str, run_id: str, graph: FlowGraph,
                 from_step: str | None = None) -> None:
        self.store = store
        self.origin_run_id = origin_run_id
        self.run_id = run_id
        self.rerun = rerun_steps(graph, from_step) if from_step else frozenset()
        self._lock = threading.Lock()
        self.reused: list[TaskKey] = []

    def __call__(self, key: TaskKey) -> Outputs | None:
        if key.step in self.rerun:
            return None
        try:
            record = self.store.read_record(self.origin_run_id, key.step, key.task_id)
        except DatastoreError:  # an unreadable record: the task runs again
            return None
        if record is None:
            return None
        self.store.write_record(dataclasses.replace(record, run_id=self.run_id))
        with self._lock:
            self.reused.append(key)
        return outputs_of(record)


# --- the origin run's code (`flowc resume RUN` without a file) ----------------------------


def unpacked_package(datastore: Datastore, digest: str) -> Path:
    """The directory of code package `digest`, unpacked into the shim's cache if needed."""
    cache = codepkg.default_cache_dir()
    found = codepkg.cached_package(digest, cache)
    if found is not None:
        return found
    data = bytes(datastore.get_blob(codepkg.CODE_NAMESPACE, digest))
    return codepkg.unpack_code_package(data, digest, cache)


def checked_from_package(datastore: Datastore, flow: str, digest: str) -> CheckedFlow:
    """The checked flow stored in a code package (it was checked when the run was made)."""
    ir = loads((unpacked_package(datastore, digest) / codepkg.IR_FILE).read_text())
    return CheckedFlow(flow=ir, graph=FlowGraph.build(ir))
