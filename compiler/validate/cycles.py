"""FLC115: cycles. Only a switch case naming its own step may loop; any other cycle is an error.

An edge back into the start step is not counted: FLC107 reports it, at that target, so the
loop it closes is not reported twice.

Strongly connected components (Tarjan's algorithm, iterative so that a 2,000-step chain does
not hit the recursion limit) find every cycle in linear time; each is reported once, at the
`self.next` call that closes it, with the steps around it.
"""

from __future__ import annotations

from collections.abc import Iterator

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.validate.context import RuleContext


def _edges(ctx: RuleContext, name: str) -> tuple[str, ...]:
    """`ctx.edges` without edges into the start step (those are FLC107's)."""
    return tuple(t for t in ctx.edges(name) if t != ctx.graph.start)


def cyclic_components(ctx: RuleContext) -> list[tuple[str, ...]]:
    """The step sets that form cycles, each in source order, in source order of their first
    step. A step that transitions to itself without a switch is a cycle of one."""
    rank = {name: i for i, name in enumerate(ctx.graph.topological_order)}
    if all(rank[t] > rank[name] for name in ctx.steps for t in _edges(ctx, name)):
        return []  # every edge goes forward in the topological order: no cycle at all
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[tuple[str, ...]] = []
    position = {name: i for i, name in enumerate(ctx.steps)}
    for root in ctx.steps:
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(_edges(ctx, root)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            name, successors = work[-1]
            advanced = False
            for target in successors:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(_edges(ctx, target))))
                    advanced = True
                    break
                if target in on_stack:
                    low[name] = min(low[name], index[target])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[name])
            if low[name] == index[name]:
                members: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == name:
                        break
                if len(members) > 1 or name in _edges(ctx, name):
                    components.append(tuple(sorted(members, key=position.__getitem__)))
    components.sort(key=lambda members: position[members[0]])
    return components


def _cycle_path(ctx: RuleContext, members: tuple[str, ...]) -> list[str]:
    """A shortest cycle through the first member, staying inside the component."""
    first = members[0]
    inside = set(members)
    came_from: dict[str, str] = {}
    frontier = [first]
    while frontier:
        following: list[str] = []
        for name in frontier:
            for target in _edges(ctx, name):
                if target == first:
                    path = [name]
                    while path[-1] != first:
                        path.append(came_from[path[-1]])
                    return [*reversed(path), first]
                if target in inside and target not in came_from:
                    came_from[target] = name
                    following.append(target)
        frontier = following
    return [first, first]  # unreachable for a real component


def check_cycles(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC115: a loop other than a switch case naming its own step."""
    for members in ctx.cycles:
        path = _cycle_path(ctx, members)
        closing = ctx.steps[path[-2]]
        if len(path) == 2:
            message = f"step '{closing.name}' transitions to itself"
            help_text = ("only a switch may loop to its own step: "
                         f'self.next({{"again": self.{closing.name}, ...}}, condition="...")')
            yield rule("FLC115").at(ctx.transition_span(closing), message, help=help_text)
            continue
        message = f"steps form a cycle: {' -> '.join(path)}"
        yield rule("FLC115").at(ctx.transition_span(closing), message)
