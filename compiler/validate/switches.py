"""Switch rules: at least two cases (FLC123), a condition (FLC124), and no case straight into
a join (FLC125), as in Metaflow's lint."""

from __future__ import annotations

from collections.abc import Iterator

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.ir import Switch
from flowc.compiler.validate.context import RuleContext


def check_switch_cases(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC123: a switch with no case or a single case."""
    for step in ctx.steps.values():
        transition = step.transition
        if not isinstance(transition, Switch) or len(transition.cases) >= 2:
            continue
        if not transition.cases:
            message = f"the switch of step '{step.name}' has no cases"
        else:
            only = transition.cases[0]
            message = (f"the switch of step '{step.name}' has a single case "
                       f"('{only.value}' -> '{only.target}')")
        yield rule("FLC123").at(transition.span, message)


def check_switch_condition(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC124: a switch without the name of the artifact that chooses the case."""
    for step in ctx.steps.values():
        transition = step.transition
        if isinstance(transition, Switch) and not transition.condition:
            yield rule("FLC124").at(
                transition.span, f"the switch of step '{step.name}' has no condition")


def check_switch_into_join(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC125: a switch case that names a join step."""
    for step in ctx.steps.values():
        transition = step.transition
        if not isinstance(transition, Switch):
            continue
        for case in transition.cases:
            target = ctx.steps.get(case.target)
            if target is not None and target.is_join and target.name != step.name:
                yield rule("FLC125").at(
                    case.span, f"case '{case.value}' of the switch in step '{step.name}' goes "
                    f"straight to the join '{target.name}'",
                    help=f"put an unconditional step between '{step.name}' and "
                    f"'{target.name}' on this case")
