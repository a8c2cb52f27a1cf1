"""The start and end steps: exactly one of each, start has no inputs, end has no next.

Covers FLC102/FLC105 (missing or ambiguous start), FLC103/FLC106 (end), FLC107 (start with
incoming transitions or inputs), FLC108 (end calls next) and FLC109 (end is a join), with
Metaflow's resolution: a single `@step(start=True)` wins, else the step named `start`; a
one-step flow is both.
"""

from __future__ import annotations

from collections.abc import Iterator

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.ir import Step
from flowc.compiler.validate.context import RuleContext, quoted

_WORDS = {"start": ("FLC102", "FLC105"), "end": ("FLC103", "FLC106")}


def _terminal_problems(ctx: RuleContext, which: str) -> Iterator[Diagnostic]:
    missing, ambiguous = _WORDS[which]
    if len(ctx.steps) == 1:
        return
    marked = [s for s in ctx.steps.values() if (s.is_start if which == "start" else s.is_end)]
    named = ctx.steps.get(which)
    if len(marked) > 1:
        names = quoted(s.name for s in marked)
        for step in marked:
            yield rule(ambiguous).at(
                step.span, f"steps {names} are marked @step({which}=True): a flow has exactly "
                f"one {which} step")
    elif len(marked) == 1 and named is not None and named is not marked[0]:
        yield rule(ambiguous).at(
            marked[0].span, f"step '{marked[0].name}' is marked @step({which}=True) but a step "
            f"named '{which}' also exists", help=f"rename the step '{which}' or remove "
            f"{which}=True")
    elif not marked and named is None:
        yield rule(missing).at(
            ctx.flow.span, f"flow '{ctx.flow.name}' has no {which} step")


def check_start_step(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC102, FLC105: exactly one start step."""
    yield from _terminal_problems(ctx, "start")


def check_end_step(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC103, FLC106: exactly one end step."""
    yield from _terminal_problems(ctx, "end")


def _start(ctx: RuleContext) -> Step | None:
    return None if ctx.graph.start is None else ctx.steps[ctx.graph.start]


def _end(ctx: RuleContext) -> Step | None:
    return None if ctx.graph.end is None else ctx.steps[ctx.graph.end]


def check_start_inputs(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC107: the start step has incoming transitions, or takes inputs (a join)."""
    start = _start(ctx)
    if start is None:
        return
    if start.name != ctx.graph.end:
        for source in ctx.steps.values():
            if source.name == ctx.graph.end:
                continue  # the end step's self.next(...) is FLC108's alone
            transition = source.transition
            where = next((span for target, span in transition.named_targets
                          if target == start.name), None) if transition else None
            if where is not None:
                yield rule("FLC107").at(
                    where, f"step '{source.name}' transitions to the start step "
                    f"'{start.name}', which runs once, first")
    if start.is_join:
        yield rule("FLC107").at(
            start.span, f"the start step '{start.name}' takes inputs ('{start.inputs}') like "
            "a join", help=f"remove the '{start.inputs}' argument: the start step has no "
            "inputs")


def check_end_has_no_next(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC108: the end step calls self.next(...)."""
    end = _end(ctx)
    if end is not None and end.transition is not None:
        yield rule("FLC108").at(
            end.transition.span, f"the end step '{end.name}' calls self.next(...)")


def check_end_is_not_join(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC109: the end step takes inputs."""
    end = _end(ctx)
    if end is not None and end.is_join and end.name != ctx.graph.start:
        yield rule("FLC109").at(
            end.span, f"the end step '{end.name}' is a join (it takes '{end.inputs}')")
