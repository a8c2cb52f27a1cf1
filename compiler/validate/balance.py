"""Split/join balance in one pass over the topological order, without enumerating paths.

Each step gets the stack of splits open around it; every frame also records which branches
of its split the step lies on. A step's stack is what its predecessors hand it (a split pushes
a frame for the branch it enters, a join pops the frame it closes), so comparing the stacks
that arrive from each predecessor finds every imbalance Metaflow's per-path traversal finds,
in time linear in the size of the flow (times the nesting depth). Findings are diagnostics of
FLC117-FLC121; `flowc.compiler.validate.structure` exposes one rule per code.

Why a walk of its own: the split nesting of a flow is a graph fact
(`GraphNode.split_parents`, `GraphNode.branch`), but the graph takes each step's splits
from its first predecessor, which is right only once the flow is known to be balanced. This
pass compares what *every* predecessor hands a step, which is how an imbalance shows, and
recovers after reporting one so the rest of the flow is still checked. On a balanced flow the
two agree (tests/test_graph.py checks it on every example).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.ir import Foreach, Parallel, Split
from flowc.compiler.validate.context import RuleContext, quoted

# (split step, the branches of that split a step lies on): one branch, unless branches merge.
Frame = tuple[str, frozenset[str]]
Stack = tuple[Frame, ...]


@dataclass(frozen=True, slots=True)
class Balance:
    """The open splits at each reachable step (for a join: including the one it closes)."""

    stacks: Mapping[str, Stack]
    diagnostics: tuple[Diagnostic, ...]


def _leaving(ctx: RuleContext, source: str, stack: Stack, target: str) -> Stack:
    """The stack `source` hands to `target`."""
    step = ctx.steps[source]
    if step.is_join and stack:
        stack = stack[:-1]
    if isinstance(step.transition, Split | Foreach | Parallel):
        stack = (*stack, (source, frozenset({target})))
    return stack


def _splits(stack: Stack) -> tuple[str, ...]:
    return tuple(split for split, _ in stack)


def _where(stack: Stack) -> str:
    return f"inside split '{stack[-1][0]}'" if stack else "outside any split"


def _merge(stacks: list[Stack]) -> Stack:
    """Stacks with the same splits, their branches united level by level."""
    first = stacks[0]
    if len(stacks) == 1:
        return first
    return tuple(
        (split, frozenset().union(*(stack[level][1] for stack in stacks)))
        for level, (split, _) in enumerate(first)
    )


def _shared_prefix(stacks: list[Stack]) -> Stack:
    """The outer splits every stack has in common, branches united."""
    length = min(len(stack) for stack in stacks)
    for level in range(length):
        if len({stack[level][0] for stack in stacks}) > 1:
            length = level
            break
    return _merge([stack[:length] for stack in stacks])


def analyse(ctx: RuleContext) -> Balance:
    """Walk the reachable steps once, in topological order; see the module docstring."""
    graph = ctx.graph
    if graph.start is None or not ctx.edges_complete:
        return Balance(stacks={}, diagnostics=())
    stacks: dict[str, Stack] = {}
    found: list[Diagnostic] = []
    short: set[str] = set()  # splits whose join already reported a missing branch (FLC118)
    for name in graph.topological_order:
        if name not in graph.reachable:
            continue
        sources = [s for s in graph[name].in_steps if s in graph.reachable]
        arrivals = [(s, _leaving(ctx, s, stacks[s], name)) for s in sources if s in stacks]
        if name == graph.start or not arrivals:
            stacks[name] = ()
            continue
        if name in ctx.in_cycle or len(arrivals) < len(sources):
            stacks[name] = arrivals[0][1]  # in or after a cycle: FLC115 says why
            continue
        if ctx.steps[name].is_join:
            stacks[name] = _join(ctx, name, arrivals, found, short)
            if name == graph.end:
                _end(ctx, name, [(name, stacks[name][:-1])], found, short)
        elif name == graph.end:
            stacks[name] = _end(ctx, name, arrivals, found, short)
        else:
            stacks[name] = _confluence(ctx, name, arrivals, found)
    return Balance(stacks=stacks, diagnostics=tuple(found))


def _end(ctx: RuleContext, name: str, arrivals: list[tuple[str, Stack]],
         found: list[Diagnostic], short: set[str]) -> Stack:
    """FLC121: the end step is reached while splits are still open (unless the split's join
    already said which branch does not arrive, or the split is on a loop that FLC115
    reports: one mistake, one diagnostic)."""
    open_splits = dict.fromkeys(
        split for _, stack in arrivals for split in _splits(stack)
        if split not in short and split not in ctx.in_cycle)  # a loop's split: FLC115's
    if open_splits:
        via = quoted(dict.fromkeys(
            s for s, stack in arrivals if set(_splits(stack)) & set(open_splits)))
        found.append(rule("FLC121").at(
            ctx.steps[name].span, f"the end step '{name}' is reached from {via} before "
            f"split {quoted(open_splits)} is joined"))
    return ()


def _confluence(ctx: RuleContext, name: str, arrivals: list[tuple[str, Stack]],
                found: list[Diagnostic]) -> Stack:
    """FLC120: a step that is not a join, reached from different branches."""
    if len(arrivals) == 1:
        return arrivals[0][1]
    span = ctx.steps[name].span
    if len({_splits(stack) for _, stack in arrivals}) > 1:
        described = ", ".join(f"'{s}' ({_where(stack)})" for s, stack in arrivals)
        found.append(rule("FLC120").at(
            span, f"step '{name}' is reached from steps in different splits: {described}"))
        return arrivals[0][1]
    merged = _merge([stack for _, stack in arrivals])
    for level in range(len(merged) - 1, -1, -1):
        branches = {stack[level][1] for _, stack in arrivals}
        if len(branches) > 1:
            split = merged[level][0]
            by_branch = ", ".join(
                f"'{s}' (branch '{'/'.join(sorted(stack[level][1]))}')" for s, stack in arrivals)
            found.append(rule("FLC120").at(
                span, f"step '{name}' is reached from several branches of split '{split}' "
                f"but is not a join: from {by_branch}",
                help=f"make '{name}' a join, def {name}(self, inputs), or keep the branches "
                "apart until their join"))
            if _closed_downstream(ctx, name) >= len(merged):
                return merged  # a crossing: the split's own join comes later
            return merged[:level]  # recover as if it were the join it should be
    return merged


def _closed_downstream(ctx: RuleContext, name: str) -> int:
    """How many of the splits open at `name` are joined on the way from `name` to the end
    (following each step's first transition). It tells a step that should have been the
    join (one fewer than are open) from a switch case crossing into another branch."""
    depth = lowest = 0
    seen: set[str] = set()
    step: str | None = name
    while step is not None and step not in seen:
        seen.add(step)
        if ctx.steps[step].is_join and step != name:
            depth -= 1
            lowest = min(lowest, depth)
        if isinstance(ctx.steps[step].transition, Split | Foreach | Parallel):
            depth += 1
        step = next(iter(ctx.edges(step)), None)
    return -lowest


def _join(ctx: RuleContext, name: str, arrivals: list[tuple[str, Stack]],
          found: list[Diagnostic], short: set[str]) -> Stack:
    """FLC117 (nothing to join), FLC119 (unrelated splits), FLC118 (wrong branches)."""
    span = ctx.steps[name].span
    if all(not stack for _, stack in arrivals):
        found.append(rule("FLC117").at(
            span, f"step '{name}' takes inputs like a join but no split is open before it "
            f"(it is reached from {quoted(s for s, _ in arrivals)})"))
        return ()
    if len({_splits(stack) for _, stack in arrivals}) > 1:
        described = ", ".join(f"'{s}' ({_where(stack)})" for s, stack in arrivals)
        found.append(rule("FLC119").at(
            span, f"join '{name}' joins steps from unrelated splits: {described}"))
        # Recover as if it closed the innermost shared split when some arrival is right
        # inside it (the others lack a join), else one split nested in the shared ones.
        shared = _shared_prefix([stack for _, stack in arrivals])
        if shared and any(_splits(stack) == _splits(shared) for _, stack in arrivals):
            return shared
        return (*shared, ("", frozenset()))
    merged = _merge([stack for _, stack in arrivals])
    split, reached = merged[-1]
    split_step = ctx.steps[split]
    expected = set(split_step.successors)
    if isinstance(split_step.transition, Split) and name in expected:
        found.append(rule("FLC118").at(
            span, f"split '{split}' goes straight to its join '{name}': every branch needs a "
            "step of its own", help=f"put a step between '{split}' and '{name}'"))
    elif reached != expected:
        missing = [b for b in split_step.successors if b not in reached]
        short.add(split)
        found.append(rule("FLC118").at(
            span, f"join '{name}' closes split '{split}' but is not reached from its "
            f"branch {quoted(missing)} ({len(reached)} of {len(expected)} branches arrive)"))
    return merged
