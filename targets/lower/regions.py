"""The structured body of a checked flow: its steps as nested regions, the shape every
orchestrator writes (Argo DAG templates, Step Functions Parallel/Map/Choice states, Airflow
task groups).

A body is a tuple of regions run one after another. A region is one step and what its
transition opens: a split's branches, a foreach's body, a switch's cases. The step that closes
a region (a join, a switch's merge step) is the next region of the enclosing body, so a join
that itself splits again is one region like any other. Bodies end where their region closes:
a branch or a foreach body just before the join, a switch case just before the merge step,
the flow's body with the end step. Order is fixed: branches and cases in source order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias, assert_never

from flowc.compiler.ir import Flow, Foreach, Linear, Parallel, Split, Switch
from flowc.compiler.ir.graph import FlowGraph


@dataclass(frozen=True, slots=True, kw_only=True)
class StepRegion:
    """A step with a linear transition (or none: the end step)."""

    step: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SplitRegion:
    """A static split: every branch runs, then `join`."""

    step: str
    branches: tuple[Body, ...]
    join: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ForeachRegion:
    """A foreach: `body` runs once per item of the artifact `items`, then `join`. `depth` is
    the foreach depth of the body's tasks (1 for a foreach that is not inside another)."""

    step: str
    items: str
    body: Body
    join: str
    depth: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ParallelRegion:
    """A `num_parallel` gang: `body` runs as `num_parallel` tasks at once, then `join`."""

    step: str
    num_parallel: str  # the source text of the argument
    body: Body
    join: str
    depth: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SwitchCase:
    """The switch values that lead to `target` (several values may share a target), and the
    steps that run from there until the switch's merge step. `loops`: the target is the
    switch step itself, which runs again as the next iteration."""

    values: tuple[str, ...]
    target: str
    body: Body
    loops: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class SwitchRegion:
    """A switch on the artifact `condition`: exactly one case runs, then `merge` (None when
    the cases never meet again before the end of the enclosing body)."""

    step: str
    condition: str
    cases: tuple[SwitchCase, ...]
    merge: str | None

    @property
    def is_loop(self) -> bool:
        return any(case.loops for case in self.cases)


Region: TypeAlias = StepRegion | SplitRegion | ForeachRegion | ParallelRegion | SwitchRegion
Body: TypeAlias = tuple[Region, ...]


def flow_body(flow: Flow, graph: FlowGraph) -> Body:
    """The whole flow, from its start step to its end step."""
    assert graph.start is not None, "a checked flow has a start step"
    return _body(flow, graph, graph.start, stop=None)


def _body(flow: Flow, graph: FlowGraph, first: str, *, stop: str | None) -> Body:
    """The regions from `first` up to (not including) `stop`, or to the end of the flow."""
    regions: list[Region] = []
    seen: set[str] = set()
    name: str | None = first
    while name is not None and name != stop:
        assert name not in seen, f"step '{name}' reached twice in one body"
        seen.add(name)
        region, name = _region(flow, graph, name)
        regions.append(region)
    return tuple(regions)


def _region(flow: Flow, graph: FlowGraph, name: str) -> tuple[Region, str | None]:
    """The region that `name` opens, and the step that follows it in the same body."""
    node = graph[name]
    transition = graph.steps[name].transition
    match transition:
        case None:
            return StepRegion(step=name), None
        case Linear():
            return StepRegion(step=name), transition.target
        case Split():
            join = _join(node.matching_join, name)
            branches = tuple(_body(flow, graph, branch, stop=join)
                             for branch in transition.branches)
            return SplitRegion(step=name, branches=branches, join=join), join
        case Foreach():
            join = _join(node.matching_join, name)
            body = _body(flow, graph, transition.target, stop=join)
            return ForeachRegion(step=name, items=transition.items, body=body, join=join,
                                 depth=node.foreach_depth + 1), join
        case Parallel():
            join = _join(node.matching_join, name)
            body = _body(flow, graph, transition.target, stop=join)
            return ParallelRegion(step=name, num_parallel=transition.num_parallel.source,
                                  body=body, join=join, depth=node.foreach_depth + 1), join
        case Switch():
            merge = node.switch_merge
            values: dict[str, list[str]] = {}
            for case in transition.cases:
                values.setdefault(case.target, []).append(case.value)
            cases = tuple(
                SwitchCase(values=tuple(names), target=target, loops=target == name,
                           body=() if target in (name, merge)
                           else _body(flow, graph, target, stop=merge))
                for target, names in values.items()
            )
            return SwitchRegion(step=name, condition=transition.condition, cases=cases,
                                merge=merge), merge
        case _:
            assert_never(transition)


def _join(join: str | None, split: str) -> str:
    assert join is not None, f"a checked flow closes the split at '{split}'"
    return join


def inner_bodies(region: Region) -> list[Body]:
    """The bodies directly inside `region`: a split's branches, a foreach's or a parallel's
    body, a switch's cases (none for a plain step)."""
    match region:
        case StepRegion():
            return []
        case SplitRegion():
            return list(region.branches)
        case ForeachRegion() | ParallelRegion():
            return [region.body]
        case SwitchRegion():
            return [case.body for case in region.cases]
        case _:
            assert_never(region)


def steps_of(body: Body) -> tuple[str, ...]:
    """Every step of `body` and of the bodies inside it, in walk order (each step once)."""
    found: list[str] = []
    for region in body:
        found.append(region.step)
        for inner in inner_bodies(region):
            found.extend(steps_of(inner))
    return tuple(found)
