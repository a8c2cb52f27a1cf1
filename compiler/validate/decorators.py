"""Decorator rules for known decorators: keywords and literal values (FLC030), each decorator
at most once per step or class (FLC031). Non-literal values are left to the targets (FLC203);
unknown decorators are opaque and never checked here."""

from __future__ import annotations

from collections.abc import Iterator

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.ir import Decorator, Foreach, Parallel, Switch
from flowc.compiler.validate.context import RuleContext, did_you_mean
from flowc.compiler.validate.decorator_specs import DECORATOR_SPECS


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
        if not value.is_literal or value.value is None:
            continue
        problem = check(value.value)
        if problem is not None:
            yield rule("FLC030").at(
                value.span, f"@{deco.name}({keyword}=...) on {owner}: {problem}")
    for keyword in spec.required:
        if keyword not in seen:
            yield rule("FLC030").at(deco.span, f"@{deco.name} on {owner} needs {keyword}=...")


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
