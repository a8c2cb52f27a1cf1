"""Writing a task's orchestrator outputs everywhere an orchestrator reads them.

The outputs themselves are defined once, in `flowc.runtime_shim.contracts.outputs`. The shim
stores them in the datastore at `outputs_key(...)` (right after the record: Step Functions),
writes one file per key into `--outputs-dir` (Argo output parameters) and the whole JSON to
`--xcom-file` (Airflow), and prints them as its one stdout line.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowc.runtime_shim.contracts.outputs import (
    OrchestratorOutputs,
    foreach_items_key,
    outputs_key,
)

if TYPE_CHECKING:
    from flowc.runtime_shim.datastore.base import Datastore
    from flowc.runtime_shim.records import TaskRecord


def orchestrator_outputs(record: TaskRecord) -> dict[str, Any]:
    """The outputs of a finished task, keys in the contract's `OUTPUT_KEYS` order."""
    return OrchestratorOutputs.from_record(record).to_data()


def outputs_line(outputs: dict[str, Any]) -> str:
    """The outputs JSON on one line (no trailing newline)."""
    return OrchestratorOutputs.from_data(outputs).to_line()


def write_outputs_key(datastore: Datastore, record: TaskRecord, *,
                      foreach_items: bool = False) -> str:
    """Store the record's outputs JSON at its `outputs_key` (atomically); return the key.
    With `foreach_items` (asked for by `--foreach-items`: a Step Functions ItemReader reads
    it), a foreach task's item list goes to `foreach_items_key` just before.

    Written after the record, so outputs that exist always describe a finished task."""
    key = outputs_key(record.flow, record.run_id, record.step, record.task_id)
    if foreach_items and record.foreach_cardinality is not None:
        # The item list first: outputs that exist always come with it.
        items = ",".join(str(index) for index in range(record.foreach_cardinality))
        datastore.put_bytes(foreach_items_key(record.flow, record.run_id, record.step,
                                              record.task_id), f"[{items}]\n".encode())
    line = OrchestratorOutputs.from_record(record).to_line()
    datastore.put_bytes(key, (line + "\n").encode())
    return key


def _file_text(value: Any) -> str:
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def write_outputs_dir(outputs: dict[str, Any], directory: str | os.PathLike[str]) -> None:
    """One file per key: JSON for lists, plain text (no newline) for the rest."""
    for key, value in outputs.items():
        _write_atomically(Path(directory) / key, _file_text(value))


def write_xcom_file(outputs: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """The outputs JSON at `path` (Airflow's KubernetesPodOperator reads return.json)."""
    _write_atomically(Path(path), outputs_line(outputs))


def emit(outputs: dict[str, Any], *, outputs_dir: str | None, xcom_file: str | None,
         stdout_fd: int) -> None:
    """Write the outputs to the files requested, then the one stdout line."""
    if outputs_dir is not None:
        write_outputs_dir(outputs, outputs_dir)
    if xcom_file is not None:
        write_xcom_file(outputs, xcom_file)
    data = (outputs_line(outputs) + "\n").encode()
    while data:
        data = data[os.write(stdout_fd, data):]
