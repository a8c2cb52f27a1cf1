"""Each step's own `self.next`: argument counts (FLC111), a missing tail transition (FLC112),
unknown targets (FLC114), a join that also splits (FLC116), and reachability (FLC104)."""

from __future__ import annotations

from collections.abc import Iterator

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.ir import Linear, Span, Split
from flowc.compiler.validate.context import RuleContext, did_you_mean, quoted


def check_argument_count(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC111: a step takes (self) and a join (self, inputs); nothing else."""
    for step in ctx.flow.steps:
        count = step.argument_count
        if count == 0:
            yield rule("FLC111").at(step.span, f"step '{step.name}' is missing the 'self' "
                                    "argument")
        elif count > 2:
            yield rule("FLC111").at(step.span, f"step '{step.name}' takes {count} arguments; "
                                    "a step takes (self) and a join (self, inputs)")


def check_missing_next(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC112: a step other than the end step does not end with self.next(...)."""
    if len(ctx.steps) == 1:
        return
    for name, step in ctx.steps.items():
        if step.transition is None and name not in ctx.terminal_names and name not in ctx.rejected:
            yield rule("FLC112").at(
                step.span, f"step '{name}' does not end with self.next(...)")


def check_unknown_targets(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC114: self.next(...) names a step this flow does not define."""
    for name, step in ctx.steps.items():
        reported: set[str] = set()
        for target, span in step.transition.named_targets if step.transition else ():
            if target in ctx.steps or target in ctx.unseen or target in reported:
                continue
            reported.add(target)
            yield rule("FLC114").at(
                span, f"step '{name}' transitions to unknown step '{target}'",
                help=did_you_mean(target, ctx.steps))


def check_split_branches(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC113: a static split that names the same step twice (Metaflow's join count breaks)."""
    for step in ctx.steps.values():
        transition = step.transition
        if not isinstance(transition, Split):
            continue
        seen: set[str] = set()
        repeated: list[tuple[str, Span]] = []
        for branch, where in transition.named_targets:
            if branch in seen:
                repeated.append((branch, where))
            seen.add(branch)
        if repeated:
            yield rule("FLC113").at(
                repeated[0][1], f"the split of step '{step.name}' names "
                f"{quoted(dict.fromkeys(branch for branch, _ in repeated))} more than once",
                help="name each branch once: self.next(self.a, self.b)")


def check_join_and_split(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC116: a join (it takes inputs) whose transition splits, fans out or switches."""
    for step in ctx.steps.values():
        transition = step.transition
        if step.is_join and transition is not None and not isinstance(transition, Linear):
            yield rule("FLC116").at(
                transition.span, f"step '{step.name}' is a join (it takes '{step.inputs}') and "
                "also splits", help=f"move this self.next(...) to a new step after "
                f"'{step.name}' and end '{step.name}' with self.next(self.<new step>)")


def check_unreachable(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC104: steps that no path from the start step reaches, once per unreachable region:
    at the step that leads into it (the others are named in the message, not reported
    again, so cutting one link gives one diagnostic)."""
    start = ctx.graph.start
    if start is None or not ctx.edges_complete:
        return
    missing = [name for name in ctx.steps if name not in ctx.graph.reachable]
    unreachable = set(missing)
    # entries first (no unreachable step leads to them), then any cycle not yet covered
    entries = [n for n in missing if not unreachable & set(ctx.graph[n].in_steps)]
    covered: set[str] = set()
    for name in entries + missing:
        if name in covered:
            continue
        region = _region(ctx, name, unreachable)
        covered |= region
        after = [n for n in missing if n in region and n != name]
        detail = f"; neither are the steps it leads to: {quoted(after)}" if after else ""
        yield rule("FLC104").at(
            ctx.steps[name].span, f"step '{name}' is not reachable from '{start}'{detail}")


def _region(ctx: RuleContext, name: str, unreachable: set[str]) -> set[str]:
    """`name` and the unreachable steps it leads to."""
    region, todo = {name}, [name]
    while todo:
        for target in ctx.edges(todo.pop()):
            if target in unreachable and target not in region:
                region.add(target)
                todo.append(target)
    return region
