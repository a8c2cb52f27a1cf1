"""Reading results back: `Flow("TrainFlow").latest_run["join"].task.data.best`.

A small Metaflow-like client over the datastore (records + content-addressed blobs). The
datastore is `FLOWC_DATASTORE` (a directory, file:// or s3:// URL) when set, else `.flowc/`
in the working directory; `Flow(name, datastore=...)` overrides both. Artifacts are loaded
lazily and verified: a corrupt blob raises `IntegrityError` naming the blob.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from flowc.runtime_shim.datastore import Datastore, IntegrityError, open_datastore
from flowc.runtime_shim.identity import parse_task_id
from flowc.runtime_shim.records import ArtifactRef, TaskRecord, TaskStore
from flowc.runtime_shim.runs import RunInfo, list_flows, list_runs, read_run
from flowc.runtime_shim.storage import DATASTORE_ENV

__all__ = [
    "DataArtifact",
    "Flow",
    "IntegrityError",
    "NotFoundError",
    "Run",
    "Step",
    "Task",
    "get_metadata",
    "get_namespace",
    "namespace",
]

DEFAULT_DATASTORE = ".flowc"


def default_datastore_url() -> str:
    return os.environ.get(DATASTORE_ENV) or DEFAULT_DATASTORE


class NotFoundError(KeyError):
    """A flow, run, step, task or artifact that is not in the datastore.

    A KeyError (so `except KeyError` keeps working) whose text is the plain message, not
    KeyError's quoted repr."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "not found"


def namespace(name: str | None) -> None:
    """Accepted for Metaflow compatibility; flowc has no namespaces (a no-op)."""
    del name


def get_namespace() -> None:
    """Metaflow's current namespace: always None (every run is visible)."""


def get_metadata() -> str:
    """Where the client reads from, in Metaflow's `provider@location` form."""
    return f"flowc@{default_datastore_url()}"


def _import_run_code(store: TaskStore, run_id: str, module: str) -> bool:
    """Import flow module `module` from the run's code package; False when it has none."""
    from flowc.runtime_shim.loader import import_packaged_flow_module

    info = read_run(store, run_id)
    return bool(info and info.code_package
                and import_packaged_flow_module(store.datastore, info.code_package, module))


class DataArtifact:
    """One artifact of a task: name, type, size in bytes, blob hash, and `data` (loaded once).

    An instance of a class defined in the flow file needs the flow's module: it is imported
    from the run's code package on first need (its `__main__` block does not run), with the
    package's directory put first on `sys.path` for the flow's own sibling modules."""

    def __init__(self, store: TaskStore, name: str, ref: ArtifactRef, run_id: str) -> None:
        self._store = store
        self._run_id = run_id
        self.name = name
        self.ref = ref

    @property
    def type(self) -> str:
        return self.ref.type

    @property
    def size(self) -> int:
        return self.ref.size

    @cached_property
    def data(self) -> Any:
        try:
            return self._store.load_artifact(self.ref)
        except ModuleNotFoundError as exc:
            from flowc.runtime_shim.loader import FLOW_MODULE_PREFIX

            missing = exc.name or ""
            if (not missing.startswith(FLOW_MODULE_PREFIX) or missing in sys.modules
                    or not _import_run_code(self._store, self._run_id, missing)):
                raise
        return self._store.load_artifact(self.ref)

    def __repr__(self) -> str:
        return f"DataArtifact({self.name!r}, type={self.type!r}, size={self.size})"


class _Data:
    """`task.data.<name>`: attribute access to a task's artifact values."""

    def __init__(self, task: Task) -> None:
        object.__setattr__(self, "_task", task)

    def __getattr__(self, name: str) -> Any:
        task: Task = object.__getattribute__(self, "_task")
        if name not in task.record.artifacts:
            raise AttributeError(f"task {task.pathspec} has no artifact {name!r}")
        return task[name].data

    def __contains__(self, name: str) -> bool:
        return name in object.__getattribute__(self, "_task").record.artifacts

    def __dir__(self) -> list[str]:
        return sorted(object.__getattribute__(self, "_task").record.artifacts)


class Task:
    def __init__(self, store: TaskStore, record: TaskRecord) -> None:
        self._store = store
        self.record = record

    id = property(lambda self: self.record.task_id)
    pathspec = property(lambda self: self.record.pathspec)
    index_path = property(lambda self: self.record.index_path)
    iteration = property(lambda self: self.record.iteration)
    successful = property(lambda self: True)  # a record exists only for a finished task
    status = property(lambda self: self.record.status)

    @property
    def data(self) -> _Data:
        return _Data(self)

    @property
    def artifacts(self) -> list[DataArtifact]:
        return [self[name] for name in sorted(self.record.artifacts)]

    def __getitem__(self, name: str) -> DataArtifact:
        ref = self.record.artifacts.get(name)
        if ref is None:
            raise NotFoundError(f"task {self.pathspec} has no artifact {name!r}")
        return DataArtifact(self._store, name, ref, self.record.run_id)

    def __contains__(self, name: str) -> bool:
        return name in self.record.artifacts

    def log(self, stream: str = "stdout") -> str:
        r = self.record
        return self._store.get_log(r.run_id, r.step, r.task_id, r.attempt, stream)

    @property
    def stdout(self) -> str:
        return self.log("stdout")

    @property
    def stderr(self) -> str:
        return self.log("stderr")

    def __repr__(self) -> str:
        return f"Task('{self.pathspec}')"


class Step:
    def __init__(self, store: TaskStore, run_id: str, name: str) -> None:
        self._store = store
        self.run_id = run_id
        self.name = self.id = name

    @property
    def pathspec(self) -> str:
        return f"{self._store.flow}/{self.run_id}/{self.name}"

    def tasks(self) -> list[Task]:
        """Every task of the step, by foreach index path then iteration."""
        return [self[task_id] for task_id in self._store.list_tasks(self.run_id, self.name)]

    def __iter__(self) -> Iterator[Task]:
        return iter(self.tasks())

    @property
    def task(self) -> Task:
        """The step's only (or first) task; for a loop step, its last iteration."""
        tasks = self.tasks()
        if not tasks:
            raise NotFoundError(f"step {self.pathspec} has no finished task")
        firsts = [t for t in tasks if t.index_path == tasks[0].index_path]
        return max(firsts, key=lambda t: t.iteration)

    def __getitem__(self, task_id: str) -> Task:
        parse_task_id(task_id)
        record = self._store.read_record(self.run_id, self.name, task_id)
        if record is None:
            raise NotFoundError(f"no task {self.pathspec}/{task_id}")
        return Task(self._store, record)

    def __repr__(self) -> str:
        return f"Step('{self.pathspec}')"


class Run:
    def __init__(self, store: TaskStore, info: RunInfo) -> None:
        self._store = store
        self.info = info
        self.id = info.run_id

    pathspec = property(lambda self: f"{self.info.flow}/{self.id}")
    status = property(lambda self: self.info.status)
    successful = property(lambda self: self.info.status == "ok")
    finished = property(lambda self: self.info.status in ("ok", "failed", "stopped"))
    created_at = property(lambda self: self.info.started_at)
    finished_at = property(lambda self: self.info.finished_at)

    def steps(self) -> list[Step]:
        """Steps with at least one finished task, in the flow's topological order."""
        stored = set(self._store.list_steps(self.id))
        order = [s for s in self.info.steps if s in stored]
        order += sorted(s for s in stored - set(order) if not s.endswith(".json"))
        return [Step(self._store, self.id, name) for name in order
                if self._store.list_tasks(self.id, name)]

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps())

    def __getitem__(self, step: str) -> Step:
        if not self._store.list_tasks(self.id, step):
            raise NotFoundError(f"run {self.pathspec} has no step {step!r} with a finished task")
        return Step(self._store, self.id, step)

    def __contains__(self, step: str) -> bool:
        return bool(self._store.list_tasks(self.id, step))

    @property
    def end_task(self) -> Task:
        return self[self.info.steps[-1] if self.info.steps else "end"].task

    @property
    def data(self) -> _Data:
        return self.end_task.data

    def __repr__(self) -> str:
        return f"Run('{self.pathspec}')"


class Flow:
    def __init__(self, name: str, *, datastore: str | Datastore | None = None) -> None:
        self.name = self.id = name
        if isinstance(datastore, Datastore):
            self._datastore = datastore
        else:
            self._datastore = open_datastore(datastore or default_datastore_url())
        self._store = TaskStore(self._datastore, name)
        if not list_runs(self._store):
            flows = list_flows(self._datastore)
            known = f"flows there: {', '.join(flows)}" if flows else "it has no runs"
            raise NotFoundError(f"no flow {name!r} in {self._datastore.url} ({known})")

    def runs(self) -> list[Run]:
        """Every run of the flow, newest first."""
        found = []
        for run_id in list_runs(self._store):
            info = read_run(self._store, run_id)
            if info is not None:
                found.append(Run(self._store, info))
        return sorted(found, key=lambda run: (run.info.started_at, run.id), reverse=True)

    def __iter__(self) -> Iterator[Run]:
        return iter(self.runs())

    def __getitem__(self, run_id: str) -> Run:
        info = read_run(self._store, run_id)
        if info is None:
            raise NotFoundError(f"no run {self.name}/{run_id}")
        return Run(self._store, info)

    @property
    def latest_run(self) -> Run | None:
        runs = self.runs()
        return runs[0] if runs else None

    @property
    def latest_successful_run(self) -> Run | None:
        return next((run for run in self.runs() if run.successful), None)

    def __repr__(self) -> str:
        return f"Flow('{self.name}')"
