"""`num_parallel` and `@parallel`: the target of `self.next(..., num_parallel=n)` is a
`@parallel` step (FLC126), followed by a join (FLC127), reached only that way (FLC128), and
`n` is a positive integer when it is a literal (FLC129)."""

from __future__ import annotations

from collections.abc import Iterator

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.ir import Parallel
from flowc.compiler.validate.context import RuleContext


def _is_parallel_step(ctx: RuleContext, name: str) -> bool:
    step = ctx.steps.get(name)
    return step is not None and step.decorator("parallel") is not None


def check_parallel_decorator(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC126: self.next(self.x, num_parallel=n) where x is not decorated with @parallel."""
    for step in ctx.steps.values():
        transition = step.transition
        if (isinstance(transition, Parallel) and transition.target in ctx.steps
                and not _is_parallel_step(ctx, transition.target)):
            yield rule("FLC126").at(
                transition.target_span, f"step '{step.name}' runs '{transition.target}' with "
                f"num_parallel but '{transition.target}' is not decorated with @parallel")


def check_parallel_joined(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC127: a @parallel step whose next step is not a join."""
    for step in ctx.steps.values():
        if step.decorator("parallel") is None or step.transition is None:
            continue
        for target in step.successors:
            following = ctx.steps.get(target)
            if following is not None and not following.is_join:
                fix = (f"add a join step between '{step.name}' and the end step"
                       if target == ctx.graph.end else
                       f"make '{target}' a join: def {target}(self, inputs)")
                yield rule("FLC127").at(
                    step.transition.span, f"the @parallel step '{step.name}' is followed by "
                    f"'{target}', which is not a join", help=fix)


def check_parallel_called(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC128: a @parallel step reached by a transition without num_parallel."""
    for step in ctx.steps.values():
        transition = step.transition
        if transition is None or isinstance(transition, Parallel):
            continue
        for target in transition.targets:
            if target != step.name and _is_parallel_step(ctx, target):
                yield rule("FLC128").at(
                    transition.span, f"step '{step.name}' transitions to the @parallel step "
                    f"'{target}' without num_parallel",
                    help=f"call it as self.next(self.{target}, num_parallel=n)")


def check_num_parallel_value(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC129: a literal num_parallel that is not a positive integer."""
    for step in ctx.steps.values():
        transition = step.transition
        if not isinstance(transition, Parallel) or not transition.num_parallel.is_literal:
            continue
        value = transition.num_parallel.value
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            yield rule("FLC129").at(
                transition.num_parallel.span, f"num_parallel of step '{step.name}' is "
                f"{transition.num_parallel.source}, not a positive integer")
