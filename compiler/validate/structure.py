"""Split/join structure rules, one per code, over the single balance pass of `balance`.

FLC117 join without split, FLC118 wrong branches into a join, FLC119 join of unrelated
splits, FLC120 a step reached by several branches that is not a join, FLC121 end reached with
open splits, FLC122 a foreach straight into its join.
"""

from __future__ import annotations

from collections.abc import Iterator

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.ir import Foreach, Parallel
from flowc.compiler.validate.context import RuleContext


def _balance_findings(ctx: RuleContext, code: str) -> Iterator[Diagnostic]:
    return (d for d in ctx.balance.diagnostics if d.code == code)


def check_join_without_split(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC117: a step takes inputs but no split is open before it."""
    return _balance_findings(ctx, "FLC117")


def check_join_branches(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC118: a join not reached by every branch of the split it closes."""
    return _balance_findings(ctx, "FLC118")


def check_unrelated_join(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC119: a join reached from inside different splits (joins must nest)."""
    return _balance_findings(ctx, "FLC119")


def check_missing_join(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC120: a step that is not a join, reached from several branches."""
    return _balance_findings(ctx, "FLC120")


def check_end_before_join(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC121: the end step reached while a split is still open."""
    return _balance_findings(ctx, "FLC121")


def check_empty_foreach(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC122: a foreach (or num_parallel) whose target is a join: no step runs per item."""
    for step in ctx.steps.values():
        transition = step.transition
        if not isinstance(transition, Foreach | Parallel):
            continue
        target = ctx.steps.get(transition.target)
        if target is not None and target.is_join:
            kind = "foreach" if isinstance(transition, Foreach) else "num_parallel split"
            yield rule("FLC122").at(
                transition.span, f"the {kind} of step '{step.name}' goes straight to the join "
                f"'{target.name}': no step runs for each item",
                help=f"put a step between '{step.name}' and '{target.name}'")
