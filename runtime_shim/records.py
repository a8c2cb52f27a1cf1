"""Task records and the task store: what a task produced, written atomically and last.

A TaskRecord maps artifact names to content-addressed blobs and carries what the next tasks
and the orchestrator need (foreach cardinality, switch choice, status). A task without a
record did not happen. `TaskStore` puts records, artifacts, logs and run metadata at the keys
of docs/task-contract.md on top of any Datastore.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from flowc.runtime_shim.datastore.base import Datastore, DatastoreError, NotFound, blob_key
from flowc.runtime_shim.identity import check_name, parse_task_id, task_id
from flowc.runtime_shim.serialize import SerializationError, deserialize, serialize

RECORD_VERSION = 1
TaskStatus = Literal["ok", "caught"]
STATUSES: tuple[TaskStatus, ...] = ("ok", "caught")


class RecordError(DatastoreError):
    """A record.json that cannot be read as a TaskRecord (corrupt or from a newer flowc)."""


@dataclass(frozen=True, slots=True)
class ArtifactRef:
    """One saved artifact: its blob's digest, the blob size in bytes and the object's type."""

    hash: str
    size: int
    type: str

    def to_json(self) -> dict[str, Any]:
        return {"hash": self.hash, "size": self.size, "type": self.type}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ArtifactRef:
        return cls(hash=str(data["hash"]), size=int(data["size"]), type=str(data["type"]))


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskRecord:
    """The record of one finished task (`record.json`); see docs/task-contract.md."""

    flow: str
    run_id: str
    step: str
    task_id: str
    index_path: tuple[int, ...] = ()
    iteration: int = 0
    attempt: int = 0
    status: TaskStatus = "ok"
    artifacts: Mapping[str, ArtifactRef] = field(default_factory=dict)
    foreach_cardinality: int | None = None
    switch_choice: str | None = None
    switch_target: str | None = None  # the step the choice leads to (an identifier)
    parents: tuple[str, ...] = ()
    started_at: float = 0.0
    finished_at: float = 0.0
    logs: Mapping[str, str] = field(default_factory=dict)
    record_version: int = RECORD_VERSION

    def __post_init__(self) -> None:
        object.__setattr__(self, "index_path", tuple(self.index_path))
        object.__setattr__(self, "parents", tuple(self.parents))
        object.__setattr__(self, "artifacts", MappingProxyType(dict(self.artifacts)))
        object.__setattr__(self, "logs", MappingProxyType(dict(self.logs)))
        for kind, name in (("flow", self.flow), ("run id", self.run_id), ("step", self.step)):
            check_name(kind, name)
        expected = task_id(self.index_path, self.iteration)
        if self.task_id != expected:
            raise ValueError(
                f"task id {self.task_id!r} does not match index path {self.index_path} and "
                f"iteration {self.iteration} (expected {expected!r})"
            )
        if self.status not in STATUSES:
            raise ValueError(f"task status must be one of {STATUSES}, got {self.status!r}")
        if self.foreach_cardinality is not None and self.foreach_cardinality < 0:
            raise ValueError(f"foreach cardinality must be >= 0, got {self.foreach_cardinality}")

    @property
    def pathspec(self) -> str:
        return f"{self.flow}/{self.run_id}/{self.step}/{self.task_id}"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; `Datastore.put_json` writes it with sorted keys."""
        return {
            "record_version": self.record_version,
            "flow": self.flow,
            "run_id": self.run_id,
            "step": self.step,
            "task_id": self.task_id,
            "index_path": list(self.index_path),
            "iteration": self.iteration,
            "attempt": self.attempt,
            "status": self.status,
            "artifacts": {name: ref.to_json() for name, ref in sorted(self.artifacts.items())},
            "foreach_cardinality": self.foreach_cardinality,
            "switch_choice": self.switch_choice,
            "switch_target": self.switch_target,
            "parents": list(self.parents),
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "logs": dict(sorted(self.logs.items())),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TaskRecord:
        """Parse a record; raises RecordError for a malformed one or a newer version."""
        try:
            version = int(data["record_version"])
            if version > RECORD_VERSION:
                raise RecordError(
                    f"task record version {version} is newer than this flowc reads "
                    f"({RECORD_VERSION}); upgrade flowc"
                )
            return cls(
                flow=data["flow"],
                run_id=data["run_id"],
                step=data["step"],
                task_id=data["task_id"],
                index_path=tuple(int(i) for i in data["index_path"]),
                iteration=int(data["iteration"]),
                attempt=int(data["attempt"]),
                status=data["status"],
                artifacts={k: ArtifactRef.from_json(v) for k, v in data["artifacts"].items()},
                foreach_cardinality=data["foreach_cardinality"],
                switch_choice=data["switch_choice"],
                switch_target=data.get("switch_target"),
                parents=tuple(data["parents"]),
                started_at=float(data["started_at"]),
                finished_at=float(data["finished_at"]),
                logs=dict(data["logs"]),
                record_version=version,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RecordError(f"malformed task record: {exc!r}") from exc


class TaskStore:
    """Records, artifacts, logs and run metadata of one flow, on top of a Datastore."""

    CACHE_ITEM_MAX = 1 << 20  # blobs up to this size are kept in memory after a load
    CACHE_TOTAL_MAX = 64 << 20

    def __init__(self, datastore: Datastore, flow: str):
        self.datastore = datastore
        self.flow = check_name("flow", flow)
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._cache_size = 0

    # -- keys -------------------------------------------------------------------------------

    def run_key(self, run_id: str) -> str:
        return f"{self.flow}/runs/{check_name('run id', run_id)}/run.json"

    def task_prefix(self, run_id: str, step: str, task: str) -> str:
        parse_task_id(task)
        return f"{self.flow}/runs/{check_name('run id', run_id)}/{check_name('step', step)}/{task}"

    def record_key(self, run_id: str, step: str, task: str) -> str:
        return f"{self.task_prefix(run_id, step, task)}/record.json"

    def log_key(self, run_id: str, step: str, task: str, attempt: int, stream: str) -> str:
        if stream not in ("stdout", "stderr"):
            raise ValueError(f"log stream must be 'stdout' or 'stderr', got {stream!r}")
        return f"{self.task_prefix(run_id, step, task)}/attempt-{int(attempt)}/{stream}.log"

    # -- records ----------------------------------------------------------------------------

    def write_record(self, record: TaskRecord) -> None:
        """Write the task's record atomically; call it last, after artifacts and logs."""
        if record.flow != self.flow:
            raise ValueError(f"record of flow {record.flow!r} written to {self.flow!r}'s store")
        self.datastore.put_json(
            self.record_key(record.run_id, record.step, record.task_id), record.to_json()
        )

    def read_record(self, run_id: str, step: str, task: str) -> TaskRecord | None:
        """The task's record, or None when the task did not (yet) happen."""
        key = self.record_key(run_id, step, task)
        try:
            raw = self.datastore.get_bytes(key)
        except NotFound:
            return None
        try:  # not JSON is a malformed record like any other (exit 1), not a datastore error
            try:
                data = json.loads(raw)
            except ValueError as exc:
                raise RecordError(f"not valid JSON: {exc}") from None
            return TaskRecord.from_json(data)
        except RecordError as exc:
            raise RecordError(f"{self.datastore.describe(key)}: {exc}") from None

    def list_tasks(self, run_id: str, step: str) -> list[str]:
        """Task ids of `step` in `run_id` that have a record, by index path then iteration."""
        prefix = f"{self.flow}/runs/{check_name('run id', run_id)}/{check_name('step', step)}"
        tasks = [
            name
            for name in self.datastore.list_children(prefix)
            if _is_task_id(name) and self.datastore.exists(f"{prefix}/{name}/record.json")
        ]
        return sorted(tasks, key=parse_task_id)

    def list_steps(self, run_id: str) -> list[str]:
        """Steps of `run_id` with at least one stored task directory."""
        return self.datastore.list_children(f"{self.flow}/runs/{check_name('run id', run_id)}")

    def list_runs(self) -> list[str]:
        """Run ids of this flow that have anything stored."""
        return self.datastore.list_children(f"{self.flow}/runs")

    def write_run(self, run_id: str, metadata: Mapping[str, Any]) -> None:
        """Write the run metadata (`run.json`, written by the runner)."""
        self.datastore.put_json(self.run_key(run_id), dict(metadata))

    def read_run(self, run_id: str) -> dict[str, Any] | None:
        try:
            data = self.datastore.get_json(self.run_key(run_id))
        except NotFound:
            return None
        return dict(data)

    # -- logs -------------------------------------------------------------------------------

    def put_log(
        self, run_id: str, step: str, task: str, attempt: int, stream: str, data: bytes | str
    ) -> str:
        """Store one attempt's stdout or stderr; return its key (for `TaskRecord.logs`)."""
        key = self.log_key(run_id, step, task, attempt, stream)
        self.datastore.put_log(key, data)
        return key

    def get_log(self, run_id: str, step: str, task: str, attempt: int, stream: str) -> str:
        return self.datastore.get_log(self.log_key(run_id, step, task, attempt, stream))

    # -- artifacts --------------------------------------------------------------------------

    def save_artifact(self, obj: object) -> ArtifactRef:
        """Serialize and store one object as a blob (deduplicated); return its reference."""
        blob = serialize(obj)
        digest = self.datastore.put_blob(self.flow, blob.chunks)
        return ArtifactRef(hash=digest, size=blob.size, type=blob.type_name)

    def save_artifacts(self, artifacts: Mapping[str, object]) -> dict[str, ArtifactRef]:
        """Store every artifact; return name -> reference (for `TaskRecord.artifacts`)."""
        refs = {}
        for name, obj in artifacts.items():
            try:
                refs[name] = self.save_artifact(obj)
            except SerializationError as exc:
                raise SerializationError(f"artifact {name!r}: {exc}") from exc
        return refs

    def load_artifact(self, ref: ArtifactRef | str) -> Any:
        """Load an artifact by reference or hash; verified. Small blobs are cached (each
        load still returns a fresh object, so callers never share a mutable value)."""
        digest = ref.hash if isinstance(ref, ArtifactRef) else ref
        cached = self._cache.get(digest)
        blob: Any
        if cached is not None:
            self._cache.move_to_end(digest)
            blob = bytearray(cached)  # writable, like a fresh read
        else:
            blob = self.datastore.get_blob(self.flow, digest)
            if blob.nbytes <= self.CACHE_ITEM_MAX:
                self._remember(digest, blob.tobytes())
        return deserialize(blob, where=self.datastore.describe(blob_key(self.flow, digest)))

    def load_artifacts(self, refs: Mapping[str, ArtifactRef]) -> dict[str, Any]:
        return {name: self.load_artifact(ref) for name, ref in refs.items()}

    def _remember(self, digest: str, blob: bytes) -> None:
        self._cache[digest] = blob
        self._cache_size += len(blob)
        while self._cache_size > self.CACHE_TOTAL_MAX:
            _, dropped = self._cache.popitem(last=False)
            self._cache_size -= len(dropped)


def _is_task_id(name: str) -> bool:
    try:
        parse_task_id(name)
    except ValueError:
        return False
    return True


def sorted_task_ids(ids: Iterable[str]) -> list[str]:
    """Task ids ordered by index path (numerically), then iteration."""
    return sorted(ids, key=parse_task_id)
