"""The orchestrator outputs of a task: one definition, read and written by every target.

`{"task_id", "foreach_cardinality", "foreach_indices", "switch_choice", "switch_target"}` is
a pure function of the task record. The shim prints it on stdout, writes it where Argo and
Airflow read it, and stores it at `outputs_key(...)` in the datastore, next to the record,
for orchestrators (Step Functions' `.sync` integrations) that never see a container's stdout.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flowc.runtime_shim.identity import check_name, parse_task_id

if TYPE_CHECKING:
    from flowc.runtime_shim.records import TaskRecord

OUTPUT_KEYS = (
    "task_id", "foreach_cardinality", "foreach_indices", "switch_choice", "switch_target")
OUTPUTS_FILE = "outputs.json"
# A foreach task's item list, `[0, 1, ..., n-1]`, beside its outputs: what a Step Functions
# distributed Map's ItemReader reads when the indices would not fit in a state (256 KiB).
FOREACH_ITEMS_FILE = "foreach-items.json"


class OutputsError(ValueError):
    """Outputs that cannot be read (no JSON, malformed), or that do not fit the flow."""


def outputs_key(flow: str, run_id: str, step: str, task_id: str) -> str:
    """Where the shim stores a task's outputs JSON, relative to the datastore root.

    `TrainFlow/runs/<run_id>/train/t.3/outputs.json`: beside the task's `record.json`, so any
    target computes it from names it already has (with an S3 datastore `s3://bucket/prefix`,
    the object key is `prefix/` + this)."""
    parse_task_id(task_id)
    names = (check_name("flow", flow), check_name("run id", run_id), check_name("step", step))
    return f"{names[0]}/runs/{names[1]}/{names[2]}/{task_id}/{OUTPUTS_FILE}"


def foreach_items_key(flow: str, run_id: str, step: str, task_id: str) -> str:
    """Where the shim stores a foreach task's item list: `outputs_key`'s folder +
    `foreach-items.json`."""
    folder = outputs_key(flow, run_id, step, task_id).rpartition("/")[0]
    return f"{folder}/{FOREACH_ITEMS_FILE}"


@dataclass(frozen=True, slots=True, kw_only=True)
class OrchestratorOutputs:
    """What an orchestrator reads after a task: its id, fan-out and switch choice."""

    task_id: str = ""
    foreach_cardinality: int = 0
    foreach_indices: tuple[int, ...] = ()
    switch_choice: str = ""
    # The step the choice leads to: an identifier, so an orchestrator can match on it where a
    # user's case key (any string) could not be written safely (Argo `when`).
    switch_target: str = ""

    @classmethod
    def from_record(cls, record: TaskRecord) -> OrchestratorOutputs:
        """The outputs of a finished task: 0 and () outside a foreach, "" outside a switch."""
        cardinality = record.foreach_cardinality or 0
        return cls(task_id=record.task_id, foreach_cardinality=cardinality,
                   foreach_indices=tuple(range(cardinality)),
                   switch_choice=record.switch_choice or "",
                   switch_target=record.switch_target or "")

    def to_data(self) -> dict[str, Any]:
        """The JSON-ready dict, keys in `OUTPUT_KEYS` order."""
        return {
            "task_id": self.task_id,
            "foreach_cardinality": self.foreach_cardinality,
            "foreach_indices": list(self.foreach_indices),
            "switch_choice": self.switch_choice,
            "switch_target": self.switch_target,
        }

    def to_line(self) -> str:
        """The outputs JSON on one line (no trailing newline): stdout, XCom and the datastore."""
        return json.dumps(self.to_data(), ensure_ascii=False)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> OrchestratorOutputs:
        """From the outputs dict; a missing `foreach_indices` is `range(foreach_cardinality)`."""
        try:
            indices = tuple(int(i) for i in data.get("foreach_indices") or ())
            cardinality = int(data.get("foreach_cardinality") or len(indices))
            return cls(task_id=str(data.get("task_id", "")), foreach_cardinality=cardinality,
                       foreach_indices=indices or tuple(range(cardinality)),
                       switch_choice=str(data.get("switch_choice") or ""),
                       switch_target=str(data.get("switch_target") or ""))
        except (ValueError, TypeError, AttributeError) as exc:
            raise OutputsError(f"malformed outputs {dict(data)!r:.200}: {exc}") from None

    @classmethod
    def parse(cls, text: str) -> OrchestratorOutputs:
        """From the shim's stdout (or the stored JSON): its last non-empty line."""
        lines = [line for line in text.splitlines() if line.strip()]
        if not lines:
            raise OutputsError("the task printed no outputs JSON on stdout")
        try:
            data = json.loads(lines[-1])
        except ValueError as exc:
            raise OutputsError(f"malformed outputs JSON {lines[-1][:200]!r}: {exc}") from None
        if not isinstance(data, dict):
            raise OutputsError(f"malformed outputs JSON {lines[-1][:200]!r}: not an object")
        return cls.from_data(data)
