"""Graph rules (FLC1xx) on hand-built IR: each case is a flow in the text form of
`test_validate_support` and the exact (line, code) pairs validate must report."""

from __future__ import annotations

import pytest
from flowc.compiler import ir
from test_validate_support import diagnose, make_flow, span

CASES: dict[str, tuple[str, set[tuple[int, str]]]] = {
    "valid-linear": ("start: a\na: end\nend:", set()),
    "valid-nested": (
        "start: a foreach\na: b c\nb: j1\nc: j1\nj1*: j2\nj2*: end\nend:", set()),
    "valid-switch-loop": ("start: a\na: switch again=a done=b\nb: end\nend:", set()),
    "valid-switch-merge": ("start: switch x=a y=b\na: c\nb: c\nc: end\nend:", set()),
    "valid-switch-in-branch-into-join": (
        # Metaflow accepts two switch paths of one branch meeting at the join
        "start: a b\na: switch x=c y=d\nc: j\nd: j\nb: j\nj*: end\nend:", set()),
    "valid-single-step": ("only:", set()),
    "reserved-name": ("start: next\nnext: end\nend:", {(2, "FLC101")}),
    "invalid-name": ("start: Bad\nBad: end\nend:", {(2, "FLC110")}),
    "leading-underscore": ("start: _a\n_a: end\nend:", {(2, "FLC110")}),
    "missing-start": ("begin: end\nend:", {(1, "FLC102")}),
    "missing-end": ("start: a\na:", {(1, "FLC103")}),
    "duplicate-step": ("start: a\na: end\na: end\nend:", {(3, "FLC040")}),
    "unreachable": ("start: end\norphan: end\nend:", {(2, "FLC104")}),
    "unreachable-chain-once": ("start: end\na: b\nb: c\nc: end\nend:", {(2, "FLC104")}),
    "unreachable-regions": ("start: end\na: b\nb: end\nc: b\nend:", {(2, "FLC104"),
                                                                     (4, "FLC104")}),
    "start-has-inputs": ("start: a\na: start\nend:", {(2, "FLC107"), (3, "FLC104")}),
    "end-has-next": ("start: end\nend: start", {(2, "FLC108")}),
    "split-names-a-step-twice": ("start: a a\na: j\nj*: end\nend:", {(1, "FLC113")}),
    "end-is-join": ("start: a b\na: end\nb: end\nend*:", {(4, "FLC109")}),
    "missing-next": ("start: a\na:\nend:", {(2, "FLC112")}),
    "unknown-target": ("start: nowhere\nend:", {(1, "FLC114")}),
    "cycle": ("start: a\na: b\nb: switch x=a y=end\nend:", {(3, "FLC115")}),
    "self-loop-not-switch": ("start: a\na: a\nend:", {(2, "FLC115"), (3, "FLC104")}),
    "split-on-a-loop": ("start: a\na: end a\nend:", {(2, "FLC115")}),  # not also FLC121
    "join-and-split": ("start: a b\na: j\nb: j\nj*: c d\nc: k\nd: k\nk*: end\nend:",
                       {(4, "FLC116")}),
    "join-without-split": ("start: a\na*: end\nend:", {(2, "FLC117")}),
    "join-missing-branch": ("start: a b\na: j\nb: end\nj*: end\nend:",
                            {(4, "FLC118")}),  # not also FLC121 at end: one mistake
    "split-straight-to-join": ("start: a j\na: j\nj*: end\nend:", {(3, "FLC118")}),
    "unrelated-join": (
        "start: a b\na: c d\nb: e f\nc: j1\nd: j2\ne: j1\nf: j2\nj1*: k\nj2*: k\nk*: end\nend:",
        {(8, "FLC119"), (9, "FLC119")}),
    "missing-join": ("start: a b\na: c\nb: c\nc: end\nend:", {(4, "FLC120")}),
    "end-before-join": ("start: a b\na: end\nb: end\nend:", {(4, "FLC121")}),
    "empty-foreach": ("start: j foreach\nj*: end\nend:", {(1, "FLC122")}),
    "switch-one-case": ("start: switch x=a\na: end\nend:", {(1, "FLC123")}),
    "switch-no-case": ("start: switch\nend:", {(1, "FLC123")}),
    "switch-into-join": ("start: a foreach\na: switch x=b y=j\nb: j\nj*: end\nend:",
                         {(2, "FLC125")}),
    "parallel-ok": ("start: a parallel=2\na @parallel: j\nj*: end\nend:", set()),
    "parallel-without-decorator": ("start: a parallel=2\na: j\nj*: end\nend:",
                                   {(1, "FLC126")}),
    "parallel-not-joined": ("start: a parallel=2\na @parallel: b\nb: end\nend:",
                            {(2, "FLC127"), (4, "FLC121")}),
    "parallel-without-num-parallel": ("start: a\na @parallel: end\nend:",
                                      {(1, "FLC128"), (2, "FLC127")}),
    "num-parallel-zero": ("start: a parallel=0\na @parallel: j\nj*: end\nend:",
                          {(1, "FLC129")}),
    "foreach-too-deep": (
        "start: a foreach\na: b foreach\nb: c foreach\nc: d foreach\nd: e foreach\ne: j5\n"
        "j5*: j4\nj4*: j3\nj3*: j2\nj2*: j1\nj1*: end\nend:", {(5, "FLC303")}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_graph_rule(name: str) -> None:
    text, expected = CASES[name]
    assert diagnose(text) == expected


def test_rejected_transition_is_not_reported_again() -> None:
    text = "start: a b\na:\nb: j\nj*: end\nend:"
    assert diagnose(text) == {(2, "FLC112")}
    assert diagnose(text, frozenset({"a"})) == set()


def test_unknown_target_does_not_cascade_into_unreachable() -> None:
    assert diagnose("start: jion\nj: end\nend:") == {(1, "FLC114")}


def test_every_problem_is_reported_at_once() -> None:
    text = "start: a b\na: c\nb: c\nc: end\nx: end\nnext: end\nend:\nend:"
    found = {code for _, code in diagnose(text)}
    assert {"FLC120", "FLC104", "FLC101", "FLC040"} <= found


def test_switch_without_condition_in_hand_built_ir() -> None:
    flow = make_flow("start: switch x=a y=end\na: end\nend:")
    start = flow.steps[0]
    assert isinstance(start.transition, ir.Switch)
    switch = ir.Switch(cases=start.transition.cases, condition="", span=span(1, 9))
    steps = (ir.Step(name="start", transition=switch, span=start.span), *flow.steps[1:])
    bare = ir.Flow(name="F", path=flow.path, steps=steps, span=flow.span)
    assert diagnose(bare) == {(1, "FLC124")}
