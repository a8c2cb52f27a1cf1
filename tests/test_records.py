"""Task records and the task store: JSON form, validation, keys, listings, artifacts."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from flowc.runtime_shim.datastore import LocalDatastore
from flowc.runtime_shim.records import (
    RECORD_VERSION,
    ArtifactRef,
    RecordError,
    TaskRecord,
    TaskStore,
)

REF = ArtifactRef(hash="ab" * 32, size=10, type="int")


def _record(**changes: object) -> TaskRecord:
    fields: dict[str, object] = dict(
        flow="TrainFlow",
        run_id="r1",
        step="train",
        task_id="t.0.2@1",
        index_path=(0, 2),
        iteration=1,
        attempt=2,
        status="ok",
        artifacts={"score": REF},
        foreach_cardinality=None,
        switch_choice="high",
        parents=("TrainFlow/r1/start/t",),
        started_at=1.5,
        finished_at=2.5,
        logs={"stdout": "TrainFlow/runs/r1/train/t.0.2@1/attempt-2/stdout.log"},
    )
    fields.update(changes)
    return TaskRecord(**fields)  # type: ignore[arg-type]


@pytest.fixture
def tasks(tmp_path: Path) -> TaskStore:
    return TaskStore(LocalDatastore(tmp_path), "TrainFlow")


def test_json_round_trip_and_stable_keys() -> None:
    record = _record()
    data = record.to_json()
    assert data["record_version"] == RECORD_VERSION
    assert TaskRecord.from_json(json.loads(json.dumps(data))) == record
    assert record.pathspec == "TrainFlow/r1/train/t.0.2@1"
    assert isinstance(record.index_path, tuple)
    with pytest.raises(TypeError):
        record.artifacts["x"] = REF  # type: ignore[index]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"task_id": "t.0.2"}, "does not match"),
        ({"status": "failed"}, "status must be one of"),
        ({"foreach_cardinality": -1}, "cardinality"),
        ({"step": "../x"}, "cannot be used"),
    ],
)
def test_validation(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _record(**changes)


def test_newer_or_malformed_record_is_an_error() -> None:
    data = _record().to_json()
    with pytest.raises(RecordError, match="newer than this flowc reads"):
        TaskRecord.from_json({**data, "record_version": RECORD_VERSION + 1})
    del data["status"]
    with pytest.raises(RecordError, match="malformed task record"):
        TaskRecord.from_json(data)


def test_write_read_list(tasks: TaskStore, tmp_path: Path) -> None:
    assert tasks.read_record("r1", "train", "t.0.2@1") is None
    record = _record()
    tasks.write_record(record)
    path = tmp_path / "TrainFlow/runs/r1/train/t.0.2@1/record.json"
    assert path.is_file()
    assert list(json.loads(path.read_text())) == sorted(record.to_json())
    assert tasks.read_record("r1", "train", "t.0.2@1") == record
    for index in (10, 2, 1):
        tasks.write_record(_record(task_id=f"t.{index}", index_path=(index,), iteration=0))
    (tmp_path / "TrainFlow/runs/r1/train/t.99").mkdir()  # started, no record: not listed
    assert tasks.list_tasks("r1", "train") == ["t.0.2@1", "t.1", "t.2", "t.10"]
    assert tasks.list_tasks("r1", "other") == []
    assert tasks.list_steps("r1") == ["train"]
    assert tasks.list_runs() == ["r1"]
    with pytest.raises(ValueError, match="flow"):
        tasks.write_record(_record(flow="Other"))


def test_corrupt_record_names_its_location(tasks: TaskStore, tmp_path: Path) -> None:
    path = tmp_path / "TrainFlow/runs/r1/train/t/record.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"record_version": 1}')
    with pytest.raises(RecordError, match=str(path)):
        tasks.read_record("r1", "train", "t")


def test_run_metadata_and_logs(tasks: TaskStore) -> None:
    assert tasks.read_run("r1") is None
    tasks.write_run("r1", {"params": {"alpha": 0.1}, "started_at": 1.0})
    assert tasks.read_run("r1") == {"params": {"alpha": 0.1}, "started_at": 1.0}
    key = tasks.put_log("r1", "train", "t.3", 1, "stdout", "hi\n")
    assert key == "TrainFlow/runs/r1/train/t.3/attempt-1/stdout.log"
    assert tasks.get_log("r1", "train", "t.3", 1, "stdout") == "hi\n"
    with pytest.raises(ValueError, match="log stream"):
        tasks.log_key("r1", "train", "t", 0, "stdin")


def test_artifacts_round_trip_dedup_and_fresh_objects(tasks: TaskStore) -> None:
    array = np.arange(10.0)
    refs = tasks.save_artifacts({"a": array, "b": [1, {"x": "y"}], "c": [1, {"x": "y"}]})
    assert refs["b"] == refs["c"]  # same content, same blob
    assert refs["a"].type == "numpy.ndarray" and refs["b"].type == "list"
    loaded = tasks.load_artifacts(refs)
    assert np.array_equal(loaded["a"], array) and loaded["b"] == [1, {"x": "y"}]
    loaded["b"].append(2)
    loaded["a"][0] = 99.0  # loaded arrays are writable ...
    assert tasks.load_artifact(refs["b"]) == [1, {"x": "y"}]  # ... and never shared
    assert tasks.load_artifact(refs["a"].hash)[0] == 0.0
    assert len(tasks.datastore.list_keys("TrainFlow/blobs")) == 2


def test_cache_is_bounded(tasks: TaskStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TaskStore, "CACHE_TOTAL_MAX", 2000)
    refs = [tasks.save_artifact(os.urandom(600)) for _ in range(5)]
    for ref in refs:
        tasks.load_artifact(ref)
    assert tasks._cache_size <= 2000 and len(tasks._cache) <= 3


@pytest.mark.parametrize("text", ["{not json", "", "\xff\xfe", "[]", '"x"', "{}", "null"],
                         ids=["broken", "empty", "bytes", "list", "string", "empty-object",
                              "null"])
def test_every_malformed_record_is_one_kind_of_error(text: str, tasks: TaskStore,
                                                     tmp_path: Path) -> None:
    """Not JSON at all is a malformed record like any other: RecordError (the CLI exits 1),
    never a bare DatastoreError (exit 2, kept for an unreachable or unusable datastore)."""
    tasks.write_record(_record())
    path = tmp_path / "TrainFlow/runs/r1/train/t.0.2@1/record.json"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(RecordError, match="record.json"):
        tasks.read_record("r1", "train", "t.0.2@1")
