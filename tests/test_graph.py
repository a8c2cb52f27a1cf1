"""Graph facts (flowc.compiler.ir.graph) on hand-built IR and on every example: kinds, edges,
split nesting, branch membership, matching joins, switch merge points, foreach depth, loops,
order and reachability; that building never fails; and that the validator's own balance walk
agrees with the graph on every valid flow."""

from __future__ import annotations

from pathlib import Path

import pytest
from flowc.compiler import check_file, ir
from flowc.compiler.ir.graph import FlowGraph, NodeKind
from flowc.compiler.validate import validate
from flowc.compiler.validate.context import RuleContext
from hypothesis import given, settings
from hypothesis import strategies as st
from test_validate_support import make_flow

NESTED = """start: outer foreach
outer: a b
a: inner foreach
inner: inner_join
inner_join*: ab_join
b: ab_join
ab_join*: outer_join
outer_join*: end
end:"""


def test_kinds_and_edges() -> None:
    graph = FlowGraph.build(make_flow(NESTED))
    kinds = {node.name: node.kind for node in graph}
    assert kinds == {
        "start": NodeKind.FOREACH, "outer": NodeKind.SPLIT, "a": NodeKind.FOREACH,
        "inner": NodeKind.LINEAR, "inner_join": NodeKind.JOIN, "b": NodeKind.LINEAR,
        "ab_join": NodeKind.JOIN, "outer_join": NodeKind.JOIN, "end": NodeKind.END,
    }
    assert graph["ab_join"].in_steps == ("inner_join", "b")
    assert graph["outer"].out_steps == ("a", "b")
    assert (graph.start, graph.end) == ("start", "end")


def test_split_nesting_and_joins() -> None:
    graph = FlowGraph.build(make_flow(NESTED))
    assert graph["inner"].split_parents == ("start", "outer", "a")
    assert graph["inner_join"].split_parents == ("start", "outer", "a")
    assert graph["inner_join"].joined_split == "a"
    assert graph["ab_join"].split_parents == ("start", "outer")
    assert graph["end"].split_parents == ()
    assert graph["start"].matching_join == "outer_join"
    assert graph["outer"].matching_join == "ab_join"
    assert graph["a"].matching_join == "inner_join"


def test_foreach_depth_and_enclosing_foreach() -> None:
    graph = FlowGraph.build(make_flow(NESTED))
    depths = {node.name: node.foreach_depth for node in graph}
    assert depths == {"start": 0, "outer": 1, "a": 1, "inner": 2, "inner_join": 1, "b": 1,
                      "ab_join": 1, "outer_join": 0, "end": 0}
    assert graph.enclosing_foreach("inner") == "a"
    assert graph.enclosing_foreach("inner_join") == "start"
    assert graph.enclosing_foreach("b") == "start"
    assert graph.enclosing_foreach("outer_join") is None


def test_switch_loop_and_merge() -> None:
    graph = FlowGraph.build(make_flow(
        "start: poll\npoll: switch again=poll done=x other=y\nx: z\ny: z\nz: end\nend:"))
    assert graph["poll"].kind is NodeKind.SWITCH and graph["poll"].is_loop
    assert graph["poll"].in_steps == ("start",)
    assert graph["z"].in_steps == ("x", "y")
    assert graph["z"].split_parents == ()
    assert graph.topological_order == ("start", "poll", "x", "y", "z", "end")


def test_parallel_is_a_fanout() -> None:
    graph = FlowGraph.build(make_flow("start: g parallel=3\ng @parallel: j\nj*: end\nend:"))
    assert graph["start"].kind is NodeKind.PARALLEL
    assert graph["g"].foreach_depth == 1
    assert graph.enclosing_foreach("g") == "start"


def test_annotated_terminals_and_single_step() -> None:
    flow = make_flow("begin: finish\nfinish:")
    marked = tuple(
        ir.Step(name=s.name, transition=s.transition, span=s.span,
                is_start=s.name == "begin", is_end=s.name == "finish")
        for s in flow.steps)
    graph = FlowGraph.build(ir.Flow(name="F", path="f.py", steps=marked, span=flow.span))
    assert (graph.start, graph.end) == ("begin", "finish")
    assert graph["begin"].kind is NodeKind.START
    single = FlowGraph.build(make_flow("only:"))
    assert (single.start, single.end) == ("only", "only")
    assert single["only"].kind is NodeKind.END


def test_order_starts_with_start_and_follows_source_order_on_ties() -> None:
    graph = FlowGraph.build(make_flow("b: end\nstart: c a\nc: b\na: b\nend:"))
    assert graph.topological_order[0] == "start"
    assert graph.topological_order == ("start", "c", "a", "b", "end")


def test_invalid_flows_still_build() -> None:
    graph = FlowGraph.build(make_flow("start: a nowhere\na: b\nb: a\norphan: end\nend:"))
    assert graph["start"].out_steps == ("a", "nowhere")
    assert set(graph.topological_order) == {"start", "a", "b", "orphan", "end"}
    assert graph.reachable == {"start", "a", "b"}
    missing = FlowGraph.build(make_flow("a: b\nb:"))
    assert missing.start is None and missing.end is None and missing.reachable == frozenset()


@st.composite
def random_flows(draw: st.DrawFn) -> ir.Flow:
    names = [f"s{i}" for i in range(draw(st.integers(1, 12)))]
    lines = []
    for name in names:
        targets = draw(st.lists(st.sampled_from([*names, "ghost"]), max_size=3))
        join = "*" if draw(st.booleans()) else ""
        lines.append(f"{name}{join}: {' '.join(targets)}")
    return make_flow("\n".join(lines))


@settings(max_examples=200, deadline=None)
@given(random_flows())
def test_build_and_validate_never_fail(flow: ir.Flow) -> None:
    graph = FlowGraph.build(flow)
    assert sorted(graph.topological_order) == sorted({step.name for step in flow.steps})
    found = validate(flow, graph)
    if not any(d.code == "FLC115" for d in found):
        position = {name: i for i, name in enumerate(graph.topological_order)}
        for node in graph:
            assert all(position[source] < position[node.name] for source in node.in_steps)
    for node in graph:
        assert set(node.split_parents) <= set(graph.nodes)
        assert {split for split, _ in node.branch} <= set(node.split_parents)
        if node.switch_merge is not None:
            assert node.kind is NodeKind.SWITCH and node.switch_merge in graph.reachable


# --- branch membership and switch merge points -----------------------------------------------

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.py"))


def _example_graph(name: str) -> FlowGraph:
    result = check_file(Path(__file__).resolve().parent.parent / "examples" / f"{name}.py")
    assert result.checked is not None, result.diagnostics
    return result.checked.graph


def test_branch_membership_on_hand_built_nesting() -> None:
    graph = FlowGraph.build(make_flow(NESTED))
    branches = {node.name: node.branch for node in graph}
    assert branches == {
        "start": (),
        "outer": (("start", "outer"),),
        "a": (("start", "outer"), ("outer", "a")),
        "inner": (("start", "outer"), ("outer", "a"), ("a", "inner")),
        "inner_join": (("start", "outer"), ("outer", "a")),  # not the split it closes
        "b": (("start", "outer"), ("outer", "b")),
        "ab_join": (("start", "outer"),),
        "outer_join": (),
        "end": (),
    }


def test_switch_merge_on_hand_built_shapes() -> None:
    loop = FlowGraph.build(make_flow(
        "start: poll\npoll: switch again=poll done=x other=y\nx: z\ny: z\nz: end\nend:"))
    assert loop["poll"].switch_merge == "z"  # where the exits meet; the loop itself is left out
    assert loop["x"].switch_merge is None and loop["start"].switch_merge is None
    exit_only = FlowGraph.build(make_flow("start: poll\npoll: switch again=poll done=end\nend:"))
    assert exit_only["poll"].switch_merge == "end"
    in_split = FlowGraph.build(make_flow(  # a switch in one branch, meeting at the join
        "start: s b\ns: switch p=x q=y\nx: j\ny: j\nb: j\nj*: end\nend:"))
    assert in_split["s"].switch_merge == "j"
    assert in_split["x"].branch == in_split["y"].branch == (("start", "s"),)
    nested = FlowGraph.build(make_flow(
        "start: s\ns: switch p=t q=y\nt: switch r=u w=v\nu: m\nv: m\nm: z\ny: z\nz: end\nend:"))
    assert (nested["s"].switch_merge, nested["t"].switch_merge) == ("z", "m")
    apart = FlowGraph.build(make_flow("start: s\ns: switch p=x q=end\nx:\nend:"))  # invalid
    assert apart["s"].switch_merge is None  # the cases meet nowhere before the flow ends


# The nested shapes, as the lowering reads them: every step's branch, every switch's merge.
EXPECTED_SHAPES = {
    "nested_branches": {
        "fruits": (("start", "fruits"),),
        "apples": (("start", "fruits"), ("fruits", "apples")),
        "pears": (("start", "fruits"), ("fruits", "pears")),
        "join_fruits": (("start", "fruits"),),
        "vegetables": (("start", "vegetables"),),
        "join_all": (),
    },
    "branch_in_foreach": {
        "prepare": (("start", "prepare"),),
        "double": (("start", "prepare"), ("prepare", "double")),
        "square": (("start", "prepare"), ("prepare", "square")),
        "combine": (("start", "prepare"),),
        "gather": (),
    },
    "switch_in_foreach": {
        "classify": (("start", "classify"),),
        "halve": (("start", "classify"),),
        "record": (("start", "classify"),),
        "join": (),
        "switch_merge classify": "record",
    },
    "foreach_in_switch": {
        "fan_out": (),
        "square": (("fan_out", "square"),),
        "join_squares": (),
        "single": (),
        "switch_merge start": "end",
    },
    "switch_loop": {"increment": (), "switch_merge increment": "end"},
    "nested_foreach": {
        "year": (("start", "year"),),
        "quarter": (("start", "year"), ("year", "quarter")),
        "month": (("start", "year"), ("year", "quarter"), ("quarter", "month")),
        "join_months": (("start", "year"), ("year", "quarter")),
        "join_quarters": (("start", "year"),),
        "join_years": (),
    },
}


@pytest.mark.parametrize("example", sorted(EXPECTED_SHAPES))
def test_nested_shapes(example: str) -> None:
    graph = _example_graph(example)
    for key, expected in EXPECTED_SHAPES[example].items():
        if key.startswith("switch_merge "):
            assert graph[key.split()[1]].switch_merge == expected, key
        else:
            assert graph[key].branch == expected, key
    switches = {n.name for n in graph if n.kind is NodeKind.SWITCH}
    assert switches == {k.split()[1] for k in EXPECTED_SHAPES[example] if " " in k}


def _postdominators(graph: FlowGraph) -> dict[str, set[str]]:
    """Every reachable step's post-dominators (itself included), by the textbook fixed point
    over sets: the reference the graph's one-pass tree must agree with."""
    names = [n for n in graph.topological_order if n in graph.reachable]
    outs = {n: [t for t in graph[n].out_steps if t in graph.reachable and t != n] for n in names}
    pdom = {n: set(names) for n in names}
    changed = True
    while changed:
        changed = False
        for n in reversed(names):
            new = {n} | (set.intersection(*(pdom[t] for t in outs[n])) if outs[n] else set())
            if new != pdom[n]:
                pdom[n], changed = new, True
    return pdom


def _check_facts(graph: FlowGraph) -> None:
    pdom = _postdominators(graph)
    for node in graph:
        effective = node.split_parents[:-1] if node.kind is NodeKind.JOIN else node.split_parents
        assert tuple(split for split, _ in node.branch) == effective, node.name
        for split, first in node.branch:
            assert first in graph[split].out_steps, node.name
        if node.kind is NodeKind.SWITCH and node.name in graph.reachable:
            strict = pdom[node.name] - {node.name}
            nearest = [m for m in strict if pdom[m] >= strict]  # the one all others dominate
            assert node.switch_merge == (nearest[0] if nearest else None), node.name
        else:
            assert node.switch_merge is None


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_facts_and_the_balance_walk_agree(path: Path) -> None:
    result = check_file(path)
    assert result.checked is not None
    flow, graph = result.checked.flow, result.checked.graph
    _check_facts(graph)
    balance = RuleContext(flow=flow, graph=graph).balance
    for node in graph:
        stack = balance.stacks[node.name]
        assert tuple(split for split, _ in stack) == node.split_parents, node.name
        for (split, first), (_, branches) in zip(node.branch, stack, strict=False):
            assert first in branches, (node.name, split)


@st.composite
def random_dags(draw: st.DrawFn) -> ir.Flow:
    """Acyclic flows of switches and linear steps (every step reaches the last one)."""
    count = draw(st.integers(2, 14))
    names = ["start", *(f"s{i}" for i in range(1, count - 1)), "end"]
    lines = []
    for i, name in enumerate(names[:-1]):
        later = st.sampled_from(names[i + 1:])
        targets = draw(st.lists(later, min_size=1, max_size=3, unique=True))
        if len(targets) == 1 and not draw(st.booleans()):
            lines.append(f"{name}: {targets[0]}")
        else:
            cases = " ".join(f"k{j}={t}" for j, t in enumerate(targets))
            loop = f" again={name}" if draw(st.booleans()) else ""
            lines.append(f"{name}: switch {cases}{loop}")
    return make_flow("\n".join([*lines, "end:"]))


@settings(max_examples=200, deadline=None)
@given(random_dags())
def test_switch_merge_is_the_immediate_postdominator(flow: ir.Flow) -> None:
    _check_facts(FlowGraph.build(flow))


def test_first_definitions_are_computed_once_for_everyone() -> None:
    flow = make_flow("start: a\na: end\na: start\nend:")
    graph = FlowGraph.build(flow)
    assert list(graph.steps) == ["start", "a", "end"]
    assert graph.steps["a"] is flow.steps[1]  # the first definition, not the second
    assert graph["a"].out_steps == ("end",)
    assert RuleContext(flow=flow, graph=graph).steps is graph.steps
