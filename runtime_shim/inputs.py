"""A join's `inputs`: one read-only view per input task, and `merge_artifacts` over them.

`inputs` iterates in input order (foreach index order, or the join's in-steps in source
order), supports `len`, `inputs[i]` and `inputs.<step>` (the last input from that step, as in
Metaflow); `inputs[i].x` loads artifact `x` of that task on first access. `merge_artifacts`
follows Metaflow: an artifact conflicts only when its values (compared by content hash)
differ across the inputs that have it; artifacts the join has set itself are left alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from flowc.runtime_shim.errors import UserError
from flowc.runtime_shim.records import ArtifactRef, TaskRecord, TaskStore


class InputTask:
    """One input of a join: its artifacts as attributes (loaded lazily, cached)."""

    def __init__(self, record: TaskRecord, store: TaskStore) -> None:
        self.__dict__["_flowc_record"] = record
        self.__dict__["_flowc_store"] = store

    def __getattr__(self, name: str) -> Any:
        record: TaskRecord = self.__dict__["_flowc_record"]
        if name.startswith("__") or name not in record.artifacts:
            raise AttributeError(
                f"input task {record.step}/{record.task_id} has no artifact '{name}'"
            )
        value = self.__dict__["_flowc_store"].load_artifact(record.artifacts[name])
        self.__dict__[name] = value
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("the inputs of a join are read-only: set artifacts on self")

    def __repr__(self) -> str:
        record: TaskRecord = self.__dict__["_flowc_record"]
        return f"<input {record.pathspec}>"


class Inputs:
    """The `inputs` argument of a join step.

    Only dunder methods and private names, so that `inputs.<step>` works for any step name
    (a step may well be called `count`, `index` or `records`).
    """

    def __init__(self, records: Sequence[TaskRecord], store: TaskStore) -> None:
        self._records = tuple(records)
        self._tasks = tuple(InputTask(record, store) for record in records)

    def __len__(self) -> int:
        return len(self._tasks)

    def __getitem__(self, index: int) -> InputTask:
        return self._tasks[index]

    def __iter__(self) -> Iterator[InputTask]:
        return iter(self._tasks)

    def __getattr__(self, name: str) -> InputTask:
        """The input from step `name`; as in Metaflow, the last one when several come from it
        (a foreach join: the task of the highest index)."""
        if not name.startswith("_"):
            for record, task in zip(reversed(self._records), reversed(self._tasks), strict=True):
                if record.step == name:
                    return task
        steps = ", ".join(dict.fromkeys(record.step for record in self._records))
        raise AttributeError(f"no input from step '{name}' (inputs come from: {steps})")

    def __repr__(self) -> str:
        return f"<inputs: {', '.join(r.pathspec for r in self._records)}>"


def input_records(inputs: Inputs) -> tuple[TaskRecord, ...]:
    """The records behind a join's `inputs`, in input order."""
    return inputs._records


def _input_label(record: TaskRecord) -> str:
    return f"{record.step}/{record.task_id}"


def merged_refs(
    step: str,
    records: Sequence[TaskRecord],
    *,
    set_here: Mapping[str, Any],
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    skip: frozenset[str] = frozenset(),
) -> dict[str, ArtifactRef]:
    """The artifact references a join takes from its inputs (Metaflow's merge semantics).

    `set_here` are the artifacts the join set itself (never merged, never a conflict);
    `skip` are names handled elsewhere (parameters). Raises UserError on a conflict, naming
    each conflicting artifact and the input tasks that disagree.
    """
    if include and exclude:
        raise UserError(f"merge_artifacts in step '{step}': give include or exclude, not both")
    candidates: dict[str, list[tuple[TaskRecord, ArtifactRef]]] = {}
    for record in records:
        for name, ref in record.artifacts.items():
            candidates.setdefault(name, []).append((record, ref))
    missing = [name for name in include if name not in candidates]
    if missing:
        raise UserError(
            f"merge_artifacts in step '{step}': artifact '{missing[0]}' in include= is not "
            "set by any input"
        )
    wanted = set(include) if include else set(candidates) - set(exclude)
    merged: dict[str, ArtifactRef] = {}
    conflicts: list[str] = []
    for name in sorted(wanted):
        if name in set_here or name in skip:
            continue
        found = candidates[name]
        hashes = {ref.hash for _, ref in found}
        if len(hashes) == 1:
            merged[name] = found[0][1]
            continue
        groups: dict[str, list[str]] = {}
        for record, ref in found:
            groups.setdefault(ref.hash, []).append(_input_label(record))
        sides = " vs ".join(", ".join(labels) for labels in groups.values())
        conflicts.append(f"'{name}' ({sides})")
    if conflicts:
        raise UserError(
            f"merge_artifacts in step '{step}': artifact {conflicts[0]} has different values "
            f"in its inputs" + (f"; also {', '.join(conflicts[1:])}" if conflicts[1:] else "")
            + ". Set it in the join (self.<name> = ...) before merge_artifacts, or exclude it"
        )
    return merged
