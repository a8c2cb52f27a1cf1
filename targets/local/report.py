"""Text for `flowc runs` and `flowc show`: lists of runs, and a run, step or task with its
artifacts (type, size, and the value of small ones, `repr` truncated). Returns lines; the
CLI echoes them. A task's corrupt blob is shown as `<corrupt blob>` and, after the other
artifacts, raises the datastore's IntegrityError (the command fails naming it); a value that
cannot be loaded in this process (a class of the flow file, whose code `show` does not run) is
shown as such."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from flowc.runtime_shim.datastore.base import Datastore, DatastoreError, IntegrityError
from flowc.runtime_shim.records import TaskRecord, TaskStore
from flowc.runtime_shim.runs import RunInfo, iter_records, list_flows, list_runs, read_run
from flowc.targets.local.progress import counted

VALUE_MAX_BYTES = 4096  # artifacts up to this blob size have their value shown
REPR_MAX = 80


def _when(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def _duration(info: RunInfo) -> str:
    return "-" if info.seconds is None else f"{info.seconds:.1f}s"


def runs_table(datastore: Datastore, flow: str | None = None) -> Iterator[str]:
    """One header line, then one line per run: flow/id, status, start (UTC), duration, steps.
    KeyError (naming the flows that have runs) for a `flow` without any."""
    flows = list_flows(datastore)
    if flow is not None:
        TaskStore(datastore, flow)  # a name that cannot be a flow is refused as such first
        if flow not in flows:
            others = f"flows with runs: {', '.join(flows)}" if flows else "it has no runs"
            raise KeyError(f"no runs of flow '{flow}' in {datastore.url} ({others})")
        flows = [flow]
    rows = []
    for name in flows:
        store = TaskStore(datastore, name)
        for run_id in list_runs(store):
            info = read_run(store, run_id)
            if info is None:
                continue
            done = [s for s in info.steps if store.list_tasks(run_id, s)]
            steps = f"{len(done)}/{len(info.steps)}"
            origin = f"  (resumed from {info.origin_run_id})" if info.origin_run_id else ""
            rows.append((info.started_at, (f"{name}/{run_id}", info.status,
                         _when(info.started_at), _duration(info), steps + origin)))
    if not rows:
        yield f"no runs in {datastore.url}"
        return
    headers = ("RUN", "STATUS", "STARTED (UTC)", "DURATION", "STEPS")
    lines = [row for _, row in sorted(rows)]
    widths = [max(len(row[i]) for row in (*lines, headers)) for i in range(4)]
    for row in (headers, *lines):
        yield "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) \
            + "  " + row[4]


def _value_text(store: TaskStore, record: TaskRecord, name: str) -> str:
    ref = record.artifacts[name]
    if ref.size > VALUE_MAX_BYTES:
        return ""
    try:
        text = repr(store.load_artifact(ref))
    except DatastoreError:  # a corrupt blob or an unreachable store: the caller decides
        raise
    except Exception as exc:  # e.g. a class the flow file defines: show never runs user code
        text = f"<not loadable here: {type(exc).__name__}: {exc}>"
    return text if len(text) <= REPR_MAX else text[: REPR_MAX - 3] + "..."


def task_lines(store: TaskStore, record: TaskRecord) -> Iterator[str]:
    took = max(record.finished_at - record.started_at, 0.0)
    yield (f"{record.pathspec}  status {record.status}  attempt {record.attempt}  "
           f"{took:.2f}s")
    if record.foreach_cardinality:
        yield f"  foreach: {counted(record.foreach_cardinality, 'child', 'children')}"
    if record.switch_choice:
        yield f"  switch: took case {record.switch_choice!r}"
    if not record.artifacts:
        yield "  (no artifacts)"
        return
    names = sorted(record.artifacts)
    width = max(len(name) for name in names)
    type_width = max(len(record.artifacts[name].type) for name in names)
    corrupt: IntegrityError | None = None
    for name in names:
        ref = record.artifacts[name]
        try:
            value = _value_text(store, record, name)
        except IntegrityError as exc:  # list the others, then fail naming the first one
            value, corrupt = "<corrupt blob>", corrupt or exc
        line = f"  {name.ljust(width)}  {ref.type.ljust(type_width)}  {_size(ref.size):>10}"
        yield (line + f"  {value}") if value else line
    if corrupt is not None:
        raise corrupt


def show_lines(datastore: Datastore, flow: str, run_id: str, rest: list[str]) -> Iterator[str]:
    """A run (its steps and task counts), a step (its tasks) or a task (its artifacts)."""
    store = TaskStore(datastore, flow)
    info = read_run(store, run_id)
    if info is None:
        raise KeyError(f"no run {flow}/{run_id}")
    if not rest:
        origin = f", resumed from {info.origin_run_id}" if info.origin_run_id else ""
        yield (f"{flow}/{run_id}  {info.status}  started {_when(info.started_at)} UTC  "
               f"{_duration(info)}{origin}")
        if info.params:
            yield "  params: " + ", ".join(f"{k}={v}" for k, v in info.params.items())
        records = iter_records(store, run_id)
        for name in info.steps or tuple(dict.fromkeys(r.step for r in records)):
            count = sum(1 for r in records if r.step == name)
            yield f"  {name}: {counted(count, 'task')}"
        return
    step = rest[0]
    tasks = store.list_tasks(run_id, step)
    if not tasks:
        raise KeyError(f"no finished task of step '{step}' in {flow}/{run_id}")
    if len(rest) == 1 and len(tasks) > 1:
        yield f"{flow}/{run_id}/{step}: {counted(len(tasks), 'task')}"
        for task in tasks:
            record = store.read_record(run_id, step, task)
            if record is not None:
                names = ", ".join(sorted(record.artifacts))
                yield f"  {task}  {record.status}  {names}"
        return
    chosen = rest[1] if len(rest) > 1 else tasks[0]
    found = store.read_record(run_id, step, chosen)
    if found is None:
        raise KeyError(f"no task {flow}/{run_id}/{step}/{chosen}")
    yield from task_lines(store, found)
