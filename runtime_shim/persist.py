"""Save what a task produced: its artifacts (blobs), then its logs; the record comes last.

An artifact the step only read from its parent keeps the parent's reference when its value
did not change, even if pickling it again gives other bytes (a set of strings pickles in
hash-seed order): so `merge_artifacts` never sees a conflict the user did not make.
"""

from __future__ import annotations

from typing import Any

from flowc.runtime_shim.api import FlowSpec
from flowc.runtime_shim.caught import CaughtException
from flowc.runtime_shim.errors import InfraError, UserError
from flowc.runtime_shim.logs import TaskLogs
from flowc.runtime_shim.records import ArtifactRef, TaskStore
from flowc.runtime_shim.serialize import SerializationError, serialize
from flowc.runtime_shim.spec import StepBinding

LOG_STREAMS = ("stdout", "stderr")


def task_values(instance: FlowSpec, binding: StepBinding,
                caught: tuple[str, CaughtException] | None) -> dict[str, Any]:
    """The artifacts the step holds at its end: instance attributes, parameters, @catch var."""
    values = {name: value for name, value in vars(instance).items()
              if not name.startswith("_flowc") and not name.startswith("__")}
    if binding.parameters is not None:
        values.update(binding.parameters)
    if caught is not None and caught[0]:
        values[caught[0]] = caught[1]
    return values


def _unchanged(store: TaskStore, ref: ArtifactRef, value: Any) -> bool:
    """Whether `value` equals the stored artifact `ref` (False when it cannot tell)."""
    try:
        return bool(store.load_artifact(ref) == value)
    except Exception:  # arrays and other values without a plain truth value
        return False


def _save_one(store: TaskStore, binding: StepBinding, name: str, value: Any) -> ArtifactRef:
    loaded = binding.loaded.get(name)
    if loaded is None or loaded[0] is not value:
        return store.save_artifact(value)
    original = loaded[1]
    blob = serialize(value)
    digest = blob.digest()
    if digest == original.hash or _unchanged(store, original, value):
        return original
    store.datastore.put_blob(store.flow, blob.chunks, digest=digest)
    return ArtifactRef(hash=digest, size=blob.size, type=blob.type_name)


def save_artifacts(step: str, store: TaskStore, binding: StepBinding,
                   values: dict[str, Any]) -> dict[str, ArtifactRef]:
    """Store every value; return the task's whole artifact map (inherited references too)."""
    artifacts = dict(binding.inherited)
    for name, value in values.items():
        try:
            artifacts[name] = _save_one(store, binding, name, value)
        except SerializationError as exc:
            raise UserError(f"step '{step}': artifact '{name}' cannot be saved: {exc}") from exc
        except Exception as exc:
            raise InfraError(f"cannot save artifact '{name}' of step '{step}': {exc}") from exc
    return artifacts


def log_keys(store: TaskStore, run_id: str, step: str, task: str, attempt: int) -> dict[str, str]:
    """Where the attempt's logs are stored (for the record)."""
    return {stream: store.log_key(run_id, step, task, attempt, stream) for stream in LOG_STREAMS}


def upload_logs(store: TaskStore, run_id: str, step: str, task: str, attempt: int,
                logs: TaskLogs | None) -> None:
    """Stop capturing and store both logs of this attempt."""
    if logs is None:
        return
    logs.stop()
    try:
        for stream, data in zip(LOG_STREAMS, logs.read(), strict=True):
            store.put_log(run_id, step, task, attempt, stream, data)
    except Exception as exc:
        raise InfraError(f"cannot store the task logs: {exc}") from exc
