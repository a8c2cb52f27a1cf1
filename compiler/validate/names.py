"""Step names: reserved words (FLC101), the allowed spelling (FLC110), duplicates (FLC040)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.validate.context import RESERVED_STEP_NAMES, RuleContext

# Metaflow's lint: lowercase ASCII letters, digits and underscores, not starting with "_".
_STEP_NAME = re.compile(r"[a-z0-9][a-z0-9_]*")


def check_reserved_step_names(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC101: a step named like part of the authoring API (`next`, `input`, ...)."""
    for step in ctx.flow.steps:
        if step.name in RESERVED_STEP_NAMES:
            yield rule("FLC101").at(
                step.span, f"step name '{step.name}' is reserved: self.{step.name} is part "
                "of the authoring API")


def check_step_name_spelling(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC110: step names are lowercase ASCII identifiers that do not start with `_`."""
    for step in ctx.flow.steps:
        if _STEP_NAME.fullmatch(step.name):
            continue
        if step.name.startswith("_"):
            reason = "starts with an underscore"
        else:
            bad = sorted({c for c in step.name if not re.fullmatch(r"[a-z0-9_]", c)})
            reason = "contains " + ", ".join(repr(c) for c in bad)
        suggestion = re.sub(r"[^a-z0-9_]", "_", step.name.lower()).lstrip("_") or "step"
        yield rule("FLC110").at(
            step.span, f"step name '{step.name}' is invalid: it {reason}",
            help="step names use lowercase ASCII letters, digits and underscores and do not "
            f"start with an underscore (for example '{suggestion}')")


def check_duplicate_steps(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC040: two `@step` methods with the same name; the later one hides the earlier."""
    first: dict[str, int] = {}
    for step in ctx.flow.steps:
        if step.name in first:
            yield rule("FLC040").at(
                step.span, f"step '{step.name}' is defined again (first defined on line "
                f"{first[step.name]})")
        else:
            first[step.name] = step.span.line
