"""Outputs for the orchestrator: a pure function of the task record, written where it reads.

`{"task_id", "foreach_cardinality", "foreach_indices", "switch_choice"}` (docs/task-contract.md):
the shim prints it as its one stdout line (Step Functions), writes one file per key into
`--outputs-dir` (Argo output parameters) and the whole JSON to `--xcom-file` (Airflow).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from flowc.runtime_shim.records import TaskRecord

OUTPUT_KEYS = ("task_id", "foreach_cardinality", "foreach_indices", "switch_choice")


def orchestrator_outputs(record: TaskRecord) -> dict[str, Any]:
    """The outputs of a finished task, keys in `OUTPUT_KEYS` order."""
    cardinality = record.foreach_cardinality or 0
    return {
        "task_id": record.task_id,
        "foreach_cardinality": cardinality,
        "foreach_indices": list(range(cardinality)),
        "switch_choice": record.switch_choice or "",
    }


def outputs_line(outputs: dict[str, Any]) -> str:
    """The outputs JSON on one line (no trailing newline)."""
    return json.dumps(outputs, ensure_ascii=False)


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
    """Write the outputs everywhere requested, then the one stdout line."""
    if outputs_dir is not None:
        write_outputs_dir(outputs, outputs_dir)
    if xcom_file is not None:
        write_xcom_file(outputs, xcom_file)
    data = (outputs_line(outputs) + "\n").encode()
    while data:
        data = data[os.write(stdout_fd, data):]
