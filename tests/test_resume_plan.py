"""targets.resume: which steps a resumed run reuses, for every target (the local runner's
--from rules, and the failure point of a run that recorded none: its first unfinished step)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flowc.compiler import check_file
from flowc.compiler.ir.graph import FlowGraph
from flowc.targets.resume import ResumeError, resume_point, reused_steps

ROOT = Path(__file__).resolve().parent.parent


def _graph(example: str) -> FlowGraph:
    checked = check_file(ROOT / "examples" / f"{example}.py").checked
    assert checked is not None
    return checked.graph


def test_the_first_unfinished_step_is_the_failure_point() -> None:
    graph = _graph("branch")
    finished = {"start", "b"}.__contains__  # branch `a` failed, `b` finished
    order = graph.topological_order
    point = resume_point(graph, finished)
    assert point == next(step for step in order if step not in {"start", "b"})
    reused = reused_steps(graph, finished)
    assert "start" in reused
    # a step after the failure point in topological order runs again, finished or not
    assert all(order.index(step) < order.index(point) for step in reused)


def test_from_step_and_a_finished_run() -> None:
    graph = _graph("linear")
    order = graph.topological_order
    everything = set(order).__contains__
    assert resume_point(graph, everything) is None
    assert reused_steps(graph, everything) == order
    assert reused_steps(graph, everything, from_step=order[1]) == order[:1]
    with pytest.raises(ResumeError, match="no step named 'nope'"):
        reused_steps(graph, everything, from_step="nope")


def test_an_unfinished_step_is_never_reused() -> None:
    graph = _graph("linear")
    order = graph.topological_order
    assert reused_steps(graph, {order[0]}.__contains__) == order[:1]
    assert reused_steps(graph, set().__contains__) == ()
