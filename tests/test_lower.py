"""The lowering every target shares: regions, nesting, branch membership and switch merge
points, over every example (discovered) and checked shape by shape for the nested ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from flowc.compiler import check_file
from flowc.targets.lower import Lowered, lower
from flowc.targets.lower.regions import (
    Body,
    ForeachRegion,
    SplitRegion,
    StepRegion,
    SwitchCase,
    SwitchRegion,
    steps_of,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


def lowered(example: str) -> Lowered:
    checked = check_file(ROOT / "examples" / f"{example}.py", root=ROOT).checked
    assert checked is not None
    return lower(checked)


def shape(body: Body) -> list[object]:
    """A compact picture of a body: step names, and nested lists for what regions open."""
    out: list[object] = []
    for region in body:
        match region:
            case StepRegion():
                out.append(region.step)
            case SplitRegion():
                out.append({region.step: [shape(b) for b in region.branches],
                            "join": region.join})
            case ForeachRegion():
                out.append({region.step: shape(region.body), "join": region.join,
                            "depth": region.depth})
            case SwitchRegion():
                out.append({region.step: {"|".join(c.values): ("loop" if c.loops else
                                                               shape(c.body))
                                          for c in region.cases}, "merge": region.merge})
            case _:
                raise AssertionError(region)
    return out


@pytest.mark.parametrize("example", [path.stem for path in EXAMPLES])
def test_every_reachable_step_is_in_the_body_exactly_once(example: str) -> None:
    result = lowered(example)
    walked = steps_of(result.body)
    assert sorted(walked) == sorted(result.steps), "the body misses or repeats a step"
    assert len(walked) == len(set(walked))
    assert walked[0] == result.graph.start and result.body[-1] == StepRegion(step="end")


@pytest.mark.parametrize("example", [path.stem for path in EXAMPLES])
def test_branch_membership_agrees_with_the_regions(example: str) -> None:
    """Every step inside a split branch or foreach body has that (split, first step) pair
    in its graph `branch`, outermost first, as the regions nest."""
    result = lowered(example)

    def walk(body: Body, around: tuple[tuple[str, str], ...]) -> None:
        for region in body:
            node = result.graph[region.step]
            assert node.branch == around, (region.step, node.branch, around)
            match region:
                case SplitRegion():
                    for branch in region.branches:
                        walk(branch, (*around, (region.step, branch[0].step)))
                case ForeachRegion():
                    walk(region.body, (*around, (region.step, region.body[0].step)))
                case SwitchRegion():
                    for case in region.cases:
                        walk(case.body, around)
                case _:
                    pass

    walk(result.body, ())


def test_nested_branches() -> None:
    assert shape(lowered("nested_branches").body) == [
        {"start": [[{"fruits": [["apples"], ["pears"]], "join": "join_fruits"}, "join_fruits"],
                   ["vegetables"]], "join": "join_all"},
        "join_all", "end"]


def test_branch_in_foreach() -> None:
    body = shape(lowered("branch_in_foreach").body)
    assert body[0] == {"start": [{"prepare": [["double"], ["square"]], "join": "combine"},
                                 "combine"], "join": "gather", "depth": 1}


def test_nested_foreach_depths() -> None:
    body = lowered("nested_foreach").body
    outer = body[0]
    assert isinstance(outer, ForeachRegion) and outer.depth == 1
    inner = outer.body[0]
    assert isinstance(inner, ForeachRegion) and inner.depth == 2


def test_switch_in_foreach_merges_at_the_record_step() -> None:
    assert shape(lowered("switch_in_foreach").body) == [
        {"start": [{"classify": {"even": ["halve"], "odd": ["triple"]}, "merge": "record"},
                   "record"], "join": "join", "depth": 1},
        "join", "end"]


def test_foreach_in_switch() -> None:
    body = lowered("foreach_in_switch").body
    assert shape(body) == [
        {"start": {"many": [{"fan_out": ["square"], "join": "join_squares", "depth": 1},
                            "join_squares"],
                   "one": ["single"]}, "merge": "end"},
        "end"]
    switch = body[0]
    assert isinstance(switch, SwitchRegion) and switch.merge == "end"
    assert any(isinstance(region, ForeachRegion) for case in switch.cases
               for region in case.body)


def test_switch_loop_is_a_case_that_loops_back() -> None:
    body = lowered("switch_loop").body
    loop = next(region for region in body if isinstance(region, SwitchRegion))
    assert loop.is_loop and loop.merge == "end"
    assert loop.cases == (SwitchCase(values=("again",), target="increment", body=(), loops=True),
                          SwitchCase(values=("done",), target="end", body=(), loops=False))


def test_lowering_is_deterministic() -> None:
    assert lowered("nested_branches") == lowered("nested_branches")
    assert lowered("switch_in_foreach").body == lowered("switch_in_foreach").body
