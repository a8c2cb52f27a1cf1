"""`flowc resume`: which tasks of an earlier run a new run may reuse, and reusing them.

A task is reused when the origin run has its record and its step comes before the failure
point in topological order and is not downstream of it. The failure point is `--from STEP`,
else the origin run's first failed step (recorded in its run.json); a run that recorded no
failure (it was killed) reuses every task that has a record. Reusing writes a new record
in the new run that points at the same blobs (content-addressed and shared by the flow), so
nothing is copied. Tasks the origin run never finished (no record: failed, killed, never
started) simply run again.
The new run runs the flow file as it is now (the one the origin run recorded, or FILE), as
Metaflow does; reused tasks were made by the old code, which is refused only when a step
they belong to is gone or changed kind (`check_reusable`). A run that recorded no flow file
(an older one) runs its own code package again.
"""

from __future__ import annotations

import tarfile
import threading
from collections.abc import Callable
from pathlib import Path

from flowc.compiler.ir import loads
from flowc.compiler.ir.graph import FlowGraph, NodeKind
from flowc.compiler.pipeline import CheckedFlow
from flowc.runtime_shim import codepkg
from flowc.runtime_shim.clone import clone_task
from flowc.runtime_shim.datastore.base import Datastore, DatastoreError
from flowc.runtime_shim.outputs import orchestrator_outputs
from flowc.runtime_shim.records import TaskRecord, TaskStore
from flowc.runtime_shim.runs import RunInfo
from flowc.targets.local.plan import Outputs, TaskKey
from flowc.targets.resume import ResumeError, first_failed_step, rerun_steps


def outputs_of(record: TaskRecord) -> Outputs:
    """The outputs a task with this record printed: the shim's own pure function of it."""
    return Outputs.from_data(orchestrator_outputs(record))


def step_kind(checked: CheckedFlow, name: str) -> str:
    """What a step's tasks are, as far as a reused record must fit it: its transition
    (`linear`, `split`, `foreach`, `switch`, `parallel`, `end`) and whether it joins."""
    transition = checked.flow.step(name).transition
    kind = "end" if transition is None else type(transition).__name__.lower()
    return f"{kind} join" if checked.graph[name].kind is NodeKind.JOIN else kind


def check_reusable(origin: RunInfo, old: CheckedFlow | None, new: CheckedFlow,
                   from_step: str | None, finished: Callable[[str], bool]) -> None:
    """ResumeError when a step whose finished tasks the origin run would lend is gone from
    the new flow or changed kind (e.g. linear to foreach): its records would not fit the new
    graph. Kinds are compared when the origin's IR could be read (`old`)."""
    order = old.graph.topological_order if old is not None else origin.steps
    point = from_step or first_failed_step(order, origin.failed_steps)
    before = order[:order.index(point)] if point in order else order
    new_point = from_step or first_failed_step(new.graph, origin.failed_steps)
    rerun = rerun_steps(new.graph, new_point) if new_point else frozenset()
    run = f"{origin.flow}/{origin.run_id}"
    for name in before:
        if name in rerun:
            continue
        if name not in new.graph:
            if finished(name):
                raise ResumeError(
                    f"step '{name}' finished in {run} and would be reused, but the flow no "
                    "longer has it: re-run from an earlier step with --from STEP, or start "
                    "afresh with `flowc run`")
            continue
        if old is None or name not in old.graph:
            continue
        was, now = step_kind(old, name), step_kind(new, name)
        if was != now and finished(name):
            raise ResumeError(
                f"step '{name}' was a {was} step in {run} and is now a {now} step: its "
                f"finished tasks cannot be reused; re-run it with --from {name}, or start "
                "afresh with `flowc run`")


def code_line(flow_file: str, digest: str, origin: RunInfo) -> str:
    """What the resume says about its code: the file, and how it compares with the origin's."""
    run = f"{origin.flow}/{origin.run_id}"
    where = f"code: {flow_file}"
    if origin.flow_file and origin.flow_file != flow_file:
        where += f" (given instead of {origin.flow_file})"
    if origin.code_package is None:
        return f"{where}; {run} recorded no code package to compare with"
    if origin.code_package == digest:
        return f"{where}, the same code as {run}"
    return f"{where}, changed since {run} (code package {origin.code_package[:12]} -> " \
        f"{digest[:12]})"


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
        record = clone_task(self.store, self.origin_run_id, self.run_id, key.step, key.task_id)
        if record is None:
            return None
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


def origin_checked(datastore: Datastore, origin: RunInfo) -> CheckedFlow | None:
    """The origin run's flow from its code package; None when it cannot be read (gone, or
    written by a flowc with another IR version)."""
    if origin.code_package is None:
        return None
    try:
        return checked_from_package(datastore, origin.flow, origin.code_package)
    except (DatastoreError, OSError, ValueError, tarfile.TarError):  # ValueError: IRFormatError
        return None
