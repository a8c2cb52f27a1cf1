"""Derived graph facts of a flow: node kinds, edges, split nesting and branch membership,
matching joins, switch merge points, foreach depth, order.

Built from the IR in linear time and kept apart from it (the IR is what the user wrote; this
is what follows from it). Each fact is computed here once, for the validator, the pictures,
the shim and the lowering alike. Building never fails, even for an invalid flow: unknown
targets and cycles are left for `flowc.compiler.validate` to report. Standard library only,
because the runtime shim uses it too.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from flowc.compiler.ir.merge import immediate_postdominators
from flowc.compiler.ir.nodes import Flow, Foreach, Linear, Parallel, Split, Step, Switch


class NodeKind(StrEnum):
    START = "start"
    LINEAR = "linear"
    SPLIT = "split"
    FOREACH = "foreach"
    PARALLEL = "parallel"
    SWITCH = "switch"
    JOIN = "join"
    END = "end"


SPLITTING_KINDS = frozenset({NodeKind.SPLIT, NodeKind.FOREACH, NodeKind.PARALLEL})
FANOUT_KINDS = frozenset({NodeKind.FOREACH, NodeKind.PARALLEL})

# One (splitting step, first step of the branch) pair per open split, foreach or parallel,
# outermost first.
Branch = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class GraphNode:
    """Facts about one step.

    `split_parents` are the open splits around the step, outermost first (for a join, the
    last one is the split it closes, as in Metaflow). `branch` pairs each open split (or
    foreach, parallel) with the first step of the branch the step lies on, outermost first;
    for a join it leaves out the split the join closes (as `FlowGraph.enclosing_foreach`
    does), and a foreach's branch starts at its target. `switch_merge`, for a switch, is the
    first step where all of its cases' paths meet again: its immediate post-dominator among
    the reachable steps, the switch's loop to itself left out (so for a loop, where its exit
    case leads); None when the paths never meet before the flow ends, and for any other
    step. `foreach_depth` is the length of the foreach index path of the step's tasks.
    `out_steps` may name unknown steps; `in_steps` holds only defined steps, in source order.
    """

    name: str
    kind: NodeKind
    in_steps: tuple[str, ...]
    out_steps: tuple[str, ...]
    split_parents: tuple[str, ...]
    matching_join: str | None
    branch: Branch
    switch_merge: str | None
    foreach_depth: int
    is_loop: bool

    @property
    def joined_split(self) -> str | None:
        """For a join, the split step it closes."""
        if self.kind is NodeKind.JOIN and self.split_parents:
            return self.split_parents[-1]
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowGraph:
    """The facts of the whole flow. `steps` is each step name's first definition (a
    duplicate is FLC040's to report; every fact here reads the first one)."""

    steps: Mapping[str, Step]
    nodes: Mapping[str, GraphNode]
    start: str | None
    end: str | None
    topological_order: tuple[str, ...]
    reachable: frozenset[str]

    def __getitem__(self, name: str) -> GraphNode:
        return self.nodes[name]

    def __contains__(self, name: object) -> bool:
        return name in self.nodes

    def __iter__(self) -> Iterator[GraphNode]:
        return (self.nodes[name] for name in self.topological_order)

    def enclosing_foreach(self, name: str) -> str | None:
        """The innermost foreach (or parallel) step whose tasks fan out around `name`'s tasks."""
        node = self.nodes[name]
        parents = node.split_parents[:-1] if node.kind is NodeKind.JOIN else node.split_parents
        for parent in reversed(parents):
            if self.nodes[parent].kind in FANOUT_KINDS:
                return parent
        return None

    @classmethod
    def build(cls, flow: Flow) -> FlowGraph:
        steps = _first_definitions(flow)
        start = _resolve_terminal(steps, "start", lambda s: s.is_start)
        end = _resolve_terminal(steps, "end", lambda s: s.is_end)
        if len(steps) == 1:
            start = end = next(iter(steps))
        kinds = {name: _kind(step, name == start, name == end) for name, step in steps.items()}
        outs = {name: _unique(step.successors) for name, step in steps.items()}
        ins = _in_steps(steps, outs)
        order = _topological_order(steps, outs, ins, start)
        reachable = _reachable(start, outs, steps)
        parents, branches, joins = _split_nesting(order, kinds, outs, ins, reachable)
        merges = immediate_postdominators(order, outs, reachable)
        nodes = {
            name: GraphNode(
                name=name,
                kind=kinds[name],
                in_steps=ins[name],
                out_steps=outs[name],
                split_parents=parents.get(name, ()),
                matching_join=joins.get(name),
                branch=branches.get(name, ()),
                switch_merge=merges.get(name) if kinds[name] is NodeKind.SWITCH else None,
                foreach_depth=_foreach_depth(kinds[name], parents.get(name, ()), kinds),
                is_loop=kinds[name] is NodeKind.SWITCH and name in outs[name],
            )
            for name in steps
        }
        return cls(
            steps=MappingProxyType(steps),
            nodes=MappingProxyType(nodes),
            start=start,
            end=end,
            topological_order=order,
            reachable=frozenset(reachable),
        )


def _first_definitions(flow: Flow) -> dict[str, Step]:
    """Each step name's first definition, in source order (`FlowGraph.steps`)."""
    steps: dict[str, Step] = {}
    for step in flow.steps:
        steps.setdefault(step.name, step)
    return steps


def _resolve_terminal(
    steps: dict[str, Step], default: str, marked: Callable[[Step], bool]
) -> str | None:
    """Metaflow's resolution: the one marked step, else the step named `default`; None when
    several are marked or none exists (the validator reports which)."""
    annotated = [name for name, step in steps.items() if marked(step)]
    if len(annotated) == 1:
        return annotated[0]
    if not annotated and default in steps:
        return default
    return None


def _kind(step: Step, is_start: bool, is_end: bool) -> NodeKind:
    if is_end:
        return NodeKind.END
    match step.transition:
        case Split():
            return NodeKind.SPLIT
        case Foreach():
            return NodeKind.FOREACH
        case Parallel():
            return NodeKind.PARALLEL
        case Switch():
            return NodeKind.SWITCH
        case Linear() | None:
            if step.is_join:
                return NodeKind.JOIN
            return NodeKind.START if is_start else NodeKind.LINEAR


def _unique(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


def _in_steps(
    steps: dict[str, Step], outs: dict[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    ins: dict[str, list[str]] = {name: [] for name in steps}
    for name, targets in outs.items():
        for target in targets:
            if target in ins and target != name:
                ins[target].append(name)
    return {name: tuple(sources) for name, sources in ins.items()}


def _topological_order(
    steps: dict[str, Step],
    outs: dict[str, tuple[str, ...]],
    ins: dict[str, tuple[str, ...]],
    start: str | None,
) -> tuple[str, ...]:
    """Kahn's algorithm, ties broken by source order; self-loops ignored; steps caught in a
    cycle follow in source order."""
    position = {name: i for i, name in enumerate(steps)}
    waiting = {name: len(sources) for name, sources in ins.items()}
    ready = [position[n] for n, count in waiting.items() if count == 0 and n != start]
    if start is not None and waiting.get(start) == 0:
        ready.append(-1)  # the start step always comes first
    heapq.heapify(ready)
    names = list(steps)
    order: list[str] = []
    while ready:
        index = heapq.heappop(ready)
        name = start if index == -1 else names[index]
        assert name is not None
        order.append(name)
        for target in outs[name]:
            if target in waiting and target != name:
                waiting[target] -= 1
                if waiting[target] == 0:
                    heapq.heappush(ready, -1 if target == start else position[target])
    placed = set(order)
    order.extend(name for name in steps if name not in placed)
    return tuple(order)


def _reachable(
    start: str | None, outs: dict[str, tuple[str, ...]], steps: dict[str, Step]
) -> set[str]:
    if start is None:
        return set()
    seen = {start}
    stack = [start]
    while stack:
        for target in outs[stack.pop()]:
            if target in steps and target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def _split_nesting(
    order: tuple[str, ...],
    kinds: dict[str, NodeKind],
    outs: dict[str, tuple[str, ...]],
    ins: dict[str, tuple[str, ...]],
    reachable: set[str],
) -> tuple[dict[str, tuple[str, ...]], dict[str, Branch], dict[str, str]]:
    """Each reachable step's open splits and its branch in each, taken from its first
    predecessor in topological order (in a valid flow every predecessor agrees), and each
    split's matching join."""
    rank = {name: i for i, name in enumerate(order)}
    parents: dict[str, tuple[str, ...]] = {}
    branches: dict[str, Branch] = {}
    joins: dict[str, str] = {}
    for name in order:
        if name not in reachable:
            continue
        sources = [s for s in ins[name] if s in parents]
        if not sources:
            parents[name] = branches[name] = ()
        else:
            first = min(sources, key=rank.__getitem__)
            parents[name] = _stack_after(first, kinds[first], parents[first])
            branch = branches[first]
            if kinds[first] in SPLITTING_KINDS:
                branch = (*branch, (first, name))
            branches[name] = branch[:-1] if kinds[name] is NodeKind.JOIN else branch
        if kinds[name] is NodeKind.JOIN and parents[name]:
            joins.setdefault(parents[name][-1], name)
    return parents, branches, joins


def _stack_after(name: str, kind: NodeKind, stack: tuple[str, ...]) -> tuple[str, ...]:
    if kind in SPLITTING_KINDS:
        return (*stack, name)
    if kind is NodeKind.JOIN:
        return stack[:-1]
    return stack


def _foreach_depth(kind: NodeKind, parents: tuple[str, ...], kinds: dict[str, NodeKind]) -> int:
    open_splits = parents[:-1] if kind is NodeKind.JOIN else parents
    return sum(1 for parent in open_splits if kinds[parent] in FANOUT_KINDS)
