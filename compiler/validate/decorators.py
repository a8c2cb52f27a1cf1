"""Decorator rules for known decorators, against the one table
(`flowc.compiler.ir.known_decorators`): keywords and literal values (FLC030), each decorator
at most once per step or class (FLC031), and a static value for every argument that becomes a
typed setting (FLC203). Unknown decorators are opaque and never checked here."""

from __future__ import annotations

from collections.abc import Iterator

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.ir import Decorator, Foreach, Parallel, Switch
from flowc.compiler.ir.known_decorators import DECORATOR_SPECS
from flowc.compiler.validate.context import RuleContext, did_you_mean


def _owned(ctx: RuleContext) -> Iterator[tuple[str, bool, tuple[Decorator, ...]]]:
    """(what it decorates, on the class?, its decorators) for the class and every step."""
    yield f"flow '{ctx.flow.name}'", True, ctx.flow.decorators
    for step in ctx.flow.steps:
        yield f"step '{step.name}'", False, step.decorators


def _argument_problems(owner: str, on_class: bool, deco: Decorator) -> Iterator[Diagnostic]:
    spec = DECORATOR_SPECS.get(deco.name)
    if spec is None:
        return
    if spec.on_class != on_class:
        where = "the flow class" if spec.on_class else "a step"
        yield rule("FLC030").at(deco.span, f"@{deco.name} on {owner} belongs on {where}")
        return
    seen: set[str] = set()
    for argument in deco.arguments:
        keyword, value = argument.keyword, argument.value
        if keyword is None:
            yield rule("FLC030").at(
                value.span, f"@{deco.name} takes keyword arguments only, not the positional "
                f"argument {value.source}")
            continue
        seen.add(keyword)
        check = spec.keywords.get(keyword)
        if check is None:
            accepted = ", ".join(spec.keywords) or "no arguments"
            yield rule("FLC030").at(
                value.span, f"@{deco.name} has no argument '{keyword}' (it accepts: {accepted})",
                help=did_you_mean(keyword, spec.keywords))
            continue
        if not value.is_literal:
            if spec.typed:
                yield rule("FLC203").at(
                    value.span, f"@{deco.name}({keyword}=...) on {owner} must be known when "
                    f"the flow is compiled, but {value.source} is not a literal or a "
                    "module-level constant")
            continue
        if value.value is None:
            continue
        problem = check(value.value)
        if problem is not None:
            yield rule("FLC030").at(
                value.span, f"@{deco.name}({keyword}=...) on {owner}: {problem}")
    for keyword in spec.required:
        if keyword not in seen:
            yield rule("FLC030").at(deco.span, f"@{deco.name} on {owner} needs {keyword}=...")
    yield from _combination_problems(owner, deco)


# Decorators whose keywords must be given one of two ways (Metaflow refuses both and neither).
_ONE_OF = {"trigger": ("event", "events"), "trigger_on_finish": ("flow", "flows")}


def _combination_problems(owner: str, deco: Decorator) -> Iterator[Diagnostic]:
    """What Metaflow refuses about a decorator as a whole: a @timeout of no duration, a
    @trigger with both or neither of event= and events=."""
    if deco.name == "timeout":
        values = [deco.argument(k) for k in ("seconds", "minutes", "hours")]
        given = [v for v in values if v is not None and not (v.is_literal and v.value is None)]
        if all(v.is_literal for v in given) and not any(v.value for v in given):
            yield rule("FLC030").at(deco.span, f"@timeout on {owner} needs a duration: "
                                    "seconds=, minutes= or hours= above zero")
    if deco.name in _ONE_OF:
        one, many = _ONE_OF[deco.name]
        written = [k for k in (one, many) if (v := deco.argument(k)) is not None
                   and not (v.is_literal and v.value in (None, ()))]
        if len(written) != 1:
            yield rule("FLC030").at(deco.span, f"@{deco.name} on {owner} needs exactly one of "
                                    f"{one}= and {many}=" + (", not both" if written else ""))


def check_decorator_arguments(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC030: unknown keywords, positional arguments or literal values of the wrong type."""
    for owner, on_class, decorators in _owned(ctx):
        for deco in decorators:
            yield from _argument_problems(owner, on_class, deco)


def check_catch_placement(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC030: @catch on a foreach or switch step, which Metaflow refuses."""
    for step in ctx.flow.steps:
        deco = step.decorator("catch")
        kind = {Foreach: "foreach", Parallel: "num_parallel", Switch: "switch"}.get(
            type(step.transition))
        if deco is not None and kind is not None:
            yield rule("FLC030").at(
                deco.span, f"@catch is not supported on the {kind} step '{step.name}'",
                help="move the work that may fail to a step of its own and put @catch there")


def check_duplicate_decorators(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC031: a known decorator applied twice to the same step or class (`@card` may
    repeat)."""
    for owner, _, decorators in _owned(ctx):
        seen: set[str] = set()
        for deco in decorators:
            spec = DECORATOR_SPECS.get(deco.name)
            if spec is not None and not spec.repeatable and deco.name in seen:
                yield rule("FLC031").at(deco.span, f"@{deco.name} is applied twice to {owner}")
            seen.add(deco.name)
