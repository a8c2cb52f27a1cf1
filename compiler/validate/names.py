"""Names: reserved step words (FLC101), the spelling of step (FLC110), flow (FLC304) and
parameter (FLC027) names, duplicate steps (FLC040). The spellings are the runtime's own rules
(`flowc.compiler.ir.names`), so a flow that checks clean is one `flowc run` takes."""

from __future__ import annotations

import re
from collections.abc import Iterator

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.ir.names import (
    KEY_NAME_RULE,
    PARAMETER_NAME_RULE,
    STEP_NAME_RULE,
    bad_characters,
    is_flow_name,
    is_parameter_name,
    is_step_name,
)
from flowc.compiler.validate.context import RESERVED_STEP_NAMES, RuleContext


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
        if is_step_name(step.name):
            continue
        if step.name.startswith("_"):
            reason = "starts with an underscore"
        else:
            reason = "contains " + bad_characters(step.name, re.compile(r"[a-z0-9_]"))
        suggestion = re.sub(r"[^a-z0-9_]", "_", step.name.lower()).lstrip("_") or "step"
        yield rule("FLC110").at(
            step.span, f"step name '{step.name}' is invalid: it {reason}",
            help=f"step names use {STEP_NAME_RULE} (for example '{suggestion}')")


def check_flow_name(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC304: the flow's name goes into every datastore key of its runs."""
    name = ctx.flow.name
    if not is_flow_name(name):
        bad = bad_characters(name, re.compile(r"[A-Za-z0-9_.@=+,:\-]")) or repr(name[0])
        yield rule("FLC304").at(
            ctx.flow.span, f"flow name '{name}' cannot be used in a datastore key: it "
            f"contains {bad}", help=f"flow names use {KEY_NAME_RULE}")


def check_parameter_name_spelling(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC027: a parameter's name is passed to tasks as `--param NAME=VALUE`."""
    for param in ctx.flow.parameters:
        if is_parameter_name(param.name):
            continue
        bad = bad_characters(param.name, re.compile(r"[A-Za-z0-9_\-]"))
        reason = f"contains {bad}" if bad else "is empty" if not param.name else \
            "starts with '-'"
        yield rule("FLC027").at(
            param.span, f"parameter name {param.name!r} is invalid: it {reason}",
            help=f"parameter names use {PARAMETER_NAME_RULE}: they reach every task as "
            "--param NAME=VALUE")


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
