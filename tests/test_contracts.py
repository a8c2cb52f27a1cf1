"""The orchestrator contracts: outputs at a computable datastore key, index paths composed from
placeholders, parameter values encoded as the raw strings the shim decodes, one run-id format."""

from __future__ import annotations

import json
import math
import re
import time
from pathlib import Path

import pytest
from flowc.compiler.ir import PARAMETER_TYPES
from flowc.runtime_shim.contracts.index_path import (
    InvalidIndexPath,
    child_index_path,
    format_index_path,
    parse_index_path,
)
from flowc.runtime_shim.contracts.outputs import (
    OrchestratorOutputs,
    OutputsError,
    outputs_key,
)
from flowc.runtime_shim.contracts.parameters import ParameterEncodingError, encode_parameter
from flowc.runtime_shim.contracts.run_id import (
    RUN_ID_MAX,
    InvalidRunId,
    check_run_id,
    is_valid_run_id,
    new_run_id,
)
from flowc.runtime_shim.datastore.local import LocalDatastore
from flowc.runtime_shim.errors import UsageError
from flowc.runtime_shim.params import decode_value
from flowc.runtime_shim.records import TaskStore
from flowc.targets.local.plan import Outputs, PlanError
from flows._harness import FLOWS, compile_flow, run_shim
from hypothesis import given
from hypothesis import strategies as st

# --- outputs -----------------------------------------------------------------------------


def test_outputs_key_is_next_to_the_record(tmp_path: Path) -> None:
    key = outputs_key("TrainFlow", "r1", "train", "t.0.3")
    assert key == "TrainFlow/runs/r1/train/t.0.3/outputs.json"
    record_key = TaskStore(LocalDatastore(tmp_path), "TrainFlow").record_key(
        "r1", "train", "t.0.3")
    assert key.rpartition("/")[0] == record_key.rpartition("/")[0]
    with pytest.raises(ValueError):
        outputs_key("TrainFlow", "r1", "train", "not-a-task-id")
    with pytest.raises(ValueError):
        outputs_key("TrainFlow", "../r1", "train", "t")


def test_the_shim_stores_its_outputs_at_the_key(tmp_path: Path) -> None:
    checked = compile_flow(FLOWS / "shim_foreach.py", tmp_path / "code")
    (tmp_path / "ds").mkdir()
    start = run_shim("start", datastore=tmp_path / "ds", code_dir=tmp_path / "code")
    body = run_shim("body", datastore=tmp_path / "ds", code_dir=tmp_path / "code",
                    extra=("--index-path", ",2"))
    assert start.code == 0 and body.code == 0, start.stderr + body.stderr
    ds = LocalDatastore(tmp_path / "ds")
    flow = checked.flow.name
    for result, step, task in ((start, "start", "t"), (body, "body", "t.2")):
        stored = ds.get_bytes(outputs_key(flow, "r1", step, task)).decode()
        assert stored == result.stdout  # the same line the shim printed, newline included
        record = TaskStore(ds, flow).read_record("r1", step, task)
        assert record is not None
        assert OrchestratorOutputs.parse(stored) == OrchestratorOutputs.from_record(record)
    assert json.loads(start.stdout)["foreach_cardinality"] == 3


def test_the_local_planner_reads_the_one_definition() -> None:
    assert Outputs is OrchestratorOutputs and PlanError is OutputsError
    parsed = Outputs.parse('noise\n{"task_id": "t", "foreach_cardinality": 2}\n')
    assert parsed.foreach_indices == (0, 1) and parsed.switch_choice == ""
    assert Outputs.from_data(parsed.to_data()) == parsed
    for text in ("", "not json", "[1, 2]", '{"foreach_cardinality": "many"}'):
        with pytest.raises(OutputsError):
            Outputs.parse(text)


# --- index paths -------------------------------------------------------------------------


def test_a_depth_one_path_composes_from_an_empty_parent() -> None:
    assert child_index_path("", "3") == ",3"
    assert parse_index_path(child_index_path("", "3")) == (3,)
    assert child_index_path("{{inputs.parameters.path}}", "{{item}}") == (
        "{{inputs.parameters.path}},{{item}}")
    with pytest.raises(InvalidIndexPath):
        child_index_path("0", "")


@given(st.lists(st.integers(min_value=0, max_value=10**6), max_size=6))
def test_composed_and_formatted_paths_parse_back(indices: list[int]) -> None:
    composed = ""
    for index in indices:
        composed = child_index_path(composed, str(index))
    assert parse_index_path(composed) == tuple(indices)
    assert parse_index_path(format_index_path(indices)) == tuple(indices)


@pytest.mark.parametrize("text", [",", ",,3", "3,", "0,,2", " 1", "1 ", "+1", "-1", "01", "1_0",
                                  "a,b", "0;2", "{{item}}", "0,2,"])
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(InvalidIndexPath, match="is not an index path"):
        parse_index_path(text)


def test_the_shim_refuses_a_malformed_index_path_in_one_line(tmp_path: Path) -> None:
    compile_flow(FLOWS / "shim_foreach.py", tmp_path / "code")
    (tmp_path / "ds").mkdir()
    result = run_shim("body", datastore=tmp_path / "ds", code_dir=tmp_path / "code",
                      extra=("--index-path", ",,2"))
    assert result.code == 2
    assert "argument --index-path: ',,2' is not an index path" in result.last_error_line


# --- parameter values --------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12)
VALUES = {"str": st.text(), "int": st.integers(), "float": st.floats(allow_nan=False),
          "bool": st.booleans(), "json": JSON_VALUES}


@pytest.mark.parametrize("kind", PARAMETER_TYPES)
@given(data=st.data())
def test_encoded_parameters_decode_to_the_same_value(kind: str, data: st.DataObject) -> None:
    value = data.draw(VALUES[kind])
    decoded = decode_value(kind, encode_parameter(kind, value), name="p")  # type: ignore[arg-type]
    assert decoded == value and type(decoded) is type(value)


def test_parameter_edge_values_round_trip() -> None:
    assert decode_value("float", encode_parameter("float", 3), name="p") == 3.0
    assert math.isnan(decode_value("float", encode_parameter("float", math.nan), name="p"))
    assert decode_value("float", encode_parameter("float", 0.1), name="p") == 0.1
    assert encode_parameter("bool", True) == "true" and encode_parameter("json", {"a": [1]}) == (
        '{"a":[1]}')
    assert encode_parameter("int", [1, 2], separator=",") == "1,2"
    assert encode_parameter("str", [], separator=",") == ""


@pytest.mark.parametrize(("kind", "value", "separator"), [
    ("int", True, None), ("int", "3", None), ("int", 1.5, None), ("bool", 1, None),
    ("str", 3, None), ("json", {1, 2}, None), ("nope", 1, None),
    ("str", ["a,b"], ","), ("str", [""], ","), ("int", 3, ","),
])
def test_values_that_cannot_be_encoded(kind: str, value: object, separator: str | None) -> None:
    with pytest.raises(ParameterEncodingError):
        encode_parameter(kind, value, separator=separator)  # type: ignore[arg-type]


def test_the_shim_decoder_refuses_what_encode_would_never_give() -> None:
    with pytest.raises(UsageError):
        decode_value("bool", "maybe", name="p")


# --- run ids ------------------------------------------------------------------------------

ARGO_SUFFIX = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
SFN_EXECUTION_NAME = re.compile(r"[^\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]{1,80}")
AIRFLOW_RUN_ID = re.compile(r"[A-Za-z0-9_.~:+-]+")


def test_new_run_ids_are_valid_everywhere_and_sort_by_time() -> None:
    ids = [new_run_id(moment) for moment in (1.0, 1_700_000_000.123, 4_102_444_799.999)]
    for run_id in ids + [new_run_id()]:
        assert is_valid_run_id(run_id) and len(run_id) <= RUN_ID_MAX
        assert ARGO_SUFFIX.fullmatch(run_id) and len(f"trainflow-{run_id}") <= 63
        assert SFN_EXECUTION_NAME.fullmatch(run_id)
        assert AIRFLOW_RUN_ID.fullmatch(run_id)
    assert ids == sorted(ids)
    assert new_run_id(1_700_000_000.123).startswith("20231114-221320-123-")
    assert new_run_id(time.time()) != new_run_id(time.time())  # the random part


@pytest.mark.parametrize("run_id", [
    "20261204T170803.538Z-61930a",  # the old local format: uppercase and a dot
    "Upper", "a_b", "a.b", "-a", "a-", "", "x" * (RUN_ID_MAX + 1), "a b", "a:b",
])
def test_run_ids_some_orchestrator_refuses(run_id: str) -> None:
    assert not is_valid_run_id(run_id)
    with pytest.raises(InvalidRunId, match="not usable on every target"):
        check_run_id(run_id)


def test_user_run_ids_that_every_orchestrator_accepts() -> None:
    for run_id in ("first", "a1", "nightly-2024-01-01", "x" * RUN_ID_MAX):
        assert check_run_id(run_id) == run_id
