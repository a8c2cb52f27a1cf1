"""Runs in a datastore: the runner's `run.json` and listings (run ids: `contracts.run_id`).

`run.json` (written by the runner through `TaskStore.write_run`) says when the run started
and ended, its status (`running`, `ok`, `failed`), its parameters, the runner process
(`<pid>@<host>`) and, for a resumed run, the run it came from. A run whose file still says
`running` after its runner exited on this machine (it was killed) reads as `stopped`. The
flow file's absolute path is recorded too (`flowc resume` runs that file as it is now). Runs
without run.json (another target wrote them) are described from their task records alone.
A run is created with `create_run`, an atomic put-if-absent of its run.json: of two runners
given the same run id, exactly one gets the run, the other RunExists before any task.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from flowc.runtime_shim.contracts.run_id import new_run_id as new_run_id  # re-exported
from flowc.runtime_shim.datastore.base import Datastore, NotFound, encode_json
from flowc.runtime_shim.owner import owner_gone
from flowc.runtime_shim.records import TaskRecord, TaskStore


@dataclass(frozen=True, slots=True, kw_only=True)
class RunInfo:
    flow: str
    run_id: str
    status: str
    started_at: float
    finished_at: float | None
    params: dict[str, str]
    origin_run_id: str | None
    steps: tuple[str, ...]
    code_package: str | None = None
    failed_steps: tuple[str, ...] = ()
    runner: str | None = None  # `<pid>@<host>` of the process running it
    flow_file: str | None = None  # absolute path of the flow file the run was started from

    @property
    def seconds(self) -> float | None:
        return None if self.finished_at is None else self.finished_at - self.started_at

    def to_json(self) -> dict[str, Any]:
        return {
            "flow": self.flow, "run_id": self.run_id, "status": self.status,
            "started_at": self.started_at, "finished_at": self.finished_at,
            "params": dict(self.params), "origin_run_id": self.origin_run_id,
            "steps": list(self.steps), "code_package": self.code_package,
            "failed_steps": list(self.failed_steps), "runner": self.runner,
            "flow_file": self.flow_file,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunInfo:
        return cls(
            flow=str(data["flow"]), run_id=str(data["run_id"]),
            status=str(data.get("status", "running")),
            started_at=float(data.get("started_at") or 0.0),
            finished_at=None if data.get("finished_at") is None else float(data["finished_at"]),
            params={str(k): str(v) for k, v in (data.get("params") or {}).items()},
            origin_run_id=data.get("origin_run_id"),
            steps=tuple(data.get("steps") or ()),
            code_package=data.get("code_package"),
            failed_steps=tuple(data.get("failed_steps") or ()),
            runner=data.get("runner"),
            flow_file=data.get("flow_file"),
        )


class RunExists(Exception):
    """A run id that is already taken (one line: `run Flow/id already exists in ...`)."""


def create_run(store: TaskStore, info: RunInfo) -> None:
    """Write the new run's run.json if no run.json is there, atomically; else RunExists."""
    key = store.run_key(info.run_id)
    if not store.datastore.put_if_absent(key, encode_json(info.to_json())):
        raise RunExists(f"run {info.flow}/{info.run_id} already exists in {store.datastore.url}")


def write_run(store: TaskStore, info: RunInfo) -> None:
    store.write_run(info.run_id, info.to_json())


def read_run(store: TaskStore, run_id: str) -> RunInfo | None:
    """The run's info from run.json, else derived from its records; None if nothing exists."""
    data = store.read_run(run_id)
    if data is not None:
        info = RunInfo.from_json(data)
        if info.status == "running" and info.runner and owner_gone(info.runner):
            return dataclasses.replace(info, status="stopped")
        return info
    steps = tuple(store.list_steps(run_id))
    if not steps:
        return None
    records = [r for r in iter_records(store, run_id)]
    started = min((r.started_at for r in records), default=0.0)
    finished = max((r.finished_at for r in records), default=None)
    status = "ok" if any(r.step == "end" for r in records) else "failed"
    return RunInfo(flow=store.flow, run_id=run_id, status=status, started_at=started,
                   finished_at=finished, params={}, origin_run_id=None,
                   steps=tuple(dict.fromkeys(r.step for r in records)))


def iter_records(store: TaskStore, run_id: str) -> list[TaskRecord]:
    """Every task record of a run, step by step (steps in stored order)."""
    records = []
    for step in store.list_steps(run_id):
        if step.endswith(".json"):
            continue
        for task in store.list_tasks(run_id, step):
            record = store.read_record(run_id, step, task)
            if record is not None:
                records.append(record)
    return records


def list_flows(datastore: Datastore) -> list[str]:
    """Flow names with at least one run in the datastore."""
    try:
        names = datastore.list_children("")
    except (ValueError, NotFound):  # a backend that refuses the root prefix
        root = getattr(datastore, "root", None)
        names = sorted(p.name for p in root.iterdir() if p.is_dir()) if root else []
    return [name for name in names if datastore.list_children(f"{name}/runs")]


def list_runs(store: TaskStore) -> list[str]:
    """Run ids of the flow, oldest first (ids sort by start time)."""
    return sorted(store.list_runs())
