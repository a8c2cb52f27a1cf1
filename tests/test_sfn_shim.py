"""What the sfn target needs from the shim: a foreach task stores the item list a distributed
Map's ItemReader reads (so a fan-out never passes through a state's 256 KiB), and a parameter
value can come as its own argument (`--param-value NAME VALUE`: Step Functions places it by
path, never through States.Format)."""

from __future__ import annotations

import json
from pathlib import Path

from flowc.runtime_shim.contracts.outputs import foreach_items_key, outputs_key
from flowc.runtime_shim.datastore.local import LocalDatastore
from flowc.runtime_shim.records import TaskStore
from flows._harness import FLOWS, compile_flow, run_shim

HOSTILE = "it's \"q\" {} \\ back\\slash $(id) `u`\nline two é ✓ --param x=y"


def test_a_foreach_task_stores_its_item_list_before_its_outputs(tmp_path: Path) -> None:
    code_dir, datastore = tmp_path / "code", tmp_path / "ds"
    checked = compile_flow(FLOWS / "shim_foreach.py", code_dir)
    datastore.mkdir()
    flow = checked.flow.name
    # without --foreach-items (every target but sfn with map_items = s3) no list is written
    assert run_shim("start", datastore=datastore, code_dir=code_dir, run_id="r0",
                    params=("scale=3",)).code == 0
    assert (datastore / outputs_key(flow, "r0", "start", "t")).exists()
    assert not (datastore / foreach_items_key(flow, "r0", "start", "t")).exists()
    assert run_shim("start", datastore=datastore, code_dir=code_dir,
                    params=("scale=3",), extra=("--foreach-items",)).code == 0
    items = datastore / foreach_items_key(flow, "r1", "start", "t")
    outputs = json.loads((datastore / outputs_key(flow, "r1", "start", "t")).read_text())
    assert json.loads(items.read_text()) == list(range(outputs["foreach_cardinality"]))
    assert outputs["foreach_cardinality"] > 0
    assert run_shim("body", datastore=datastore, code_dir=code_dir, index_path=(0,),
                    extra=("--foreach-items",)).code == 0
    assert not (datastore / foreach_items_key(flow, "r1", "body", "t.0")).exists()
    # a resumed run's clone of the foreach task writes the list too
    clone = run_shim("start", datastore=datastore, code_dir=code_dir, run_id="r2",
                     extra=("--origin-run-id", "r1", "--reuse-steps", "start",
                            "--foreach-items"))
    assert clone.code == 0, clone.stderr
    assert (datastore / foreach_items_key(flow, "r2", "start", "t")).read_bytes() == \
        items.read_bytes()


def test_a_parameter_value_apart_is_the_same_as_name_equals_value(tmp_path: Path) -> None:
    code_dir, datastore = tmp_path / "code", tmp_path / "ds"
    checked = compile_flow(FLOWS / "shim_foreach.py", code_dir)
    datastore.mkdir()
    store = TaskStore(LocalDatastore(datastore), checked.flow.name)
    done = run_shim("start", datastore=datastore, code_dir=code_dir,
                    extra=("--param-value", "label", HOSTILE, "--param-value", "scale", "5"))
    assert done.code == 0, done.stderr
    record = store.read_record("r1", "start", "t")
    assert record is not None
    artifacts = store.load_artifacts(record.artifacts)
    assert (artifacts["label"], artifacts["scale"]) == (HOSTILE, 5)
    bad = run_shim("start", datastore=datastore, code_dir=code_dir, run_id="r2",
                   extra=("--param-value", "scale", "five"))
    assert bad.code == 2  # decoded and checked exactly as --param scale=five
