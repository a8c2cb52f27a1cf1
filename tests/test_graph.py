"""Graph facts (compiler.graph) on hand-built IR: kinds, edges, split nesting, matching
joins, foreach depth, loops, order and reachability; and that building never fails."""

from __future__ import annotations

from flowc.compiler import ir
from flowc.compiler.ir.graph import FlowGraph, NodeKind
from flowc.compiler.validate import validate
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
