"""Task ids and pathspecs: the table of docs/task-contract.md, the inverse, and rejections."""

from __future__ import annotations

import pytest
from flowc.runtime_shim.identity import (
    InvalidTaskId,
    Pathspec,
    parse_pathspec,
    parse_task_id,
    pathspec,
    task_id,
)
from hypothesis import given
from hypothesis import strategies as st


@pytest.mark.parametrize(
    ("index_path", "iteration", "expected"),
    [((), 0, "t"), ((3,), 0, "t.3"), ((0, 2), 0, "t.0.2"), ((0, 2), 4, "t.0.2@4"), ((), 1, "t@1")],
)
def test_contract_table(index_path: tuple[int, ...], iteration: int, expected: str) -> None:
    assert task_id(index_path, iteration) == expected
    assert parse_task_id(expected) == (index_path, iteration)


@given(st.lists(st.integers(min_value=0, max_value=10**6), max_size=5), st.integers(0, 10**4))
def test_round_trip(index_path: list[int], iteration: int) -> None:
    assert parse_task_id(task_id(tuple(index_path), iteration)) == (tuple(index_path), iteration)


@pytest.mark.parametrize(
    "text", ["", "x", "t.", "t..1", "t.01", "t.-1", "t@0", "t@", "t.1@01", "T.1", "t.1 ", "t/1"]
)
def test_rejects_non_canonical_ids(text: str) -> None:
    with pytest.raises(InvalidTaskId):
        parse_task_id(text)


@pytest.mark.parametrize(("index_path", "iteration"), [((-1,), 0), ((True,), 0), ((), -1)])
def test_rejects_bad_components(index_path: tuple[int, ...], iteration: int) -> None:
    with pytest.raises(InvalidTaskId):
        task_id(index_path, iteration)


def test_pathspec() -> None:
    assert pathspec("TrainFlow", "r1", "train", (0, 2), 4) == "TrainFlow/r1/train/t.0.2@4"
    spec = parse_pathspec("TrainFlow/argo-abc12/train/t.3")
    assert spec == Pathspec("TrainFlow", "argo-abc12", "train", "t.3")
    assert (spec.index_path, spec.iteration, str(spec)) == (
        (3,),
        0,
        "TrainFlow/argo-abc12/train/t.3",
    )


@pytest.mark.parametrize(
    "text", ["F/r/s", "F/r/s/t/x", "F/../s/t", "F/r/s/bad", "F/r//t", "F/.hidden/s/t"]
)
def test_rejects_bad_pathspecs(text: str) -> None:
    with pytest.raises(InvalidTaskId):
        parse_pathspec(text)


def test_airflow_style_run_ids_are_accepted() -> None:
    run = "manual__2024-01-01T00:00:00+00:00"
    assert pathspec("F", run, "start") == f"F/{run}/start/t"
