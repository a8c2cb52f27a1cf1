"""Decorators: `@step` (and its start=/end= marks) and every other step or class decorator.

A decorator flowc knows (any import spelling: `@retry`, `@mf.retry`, `@metaflow.retry`, an
alias) gets its canonical name and `known=True`; any other keeps its dotted source text
without call arguments (`my.deco`) and `known=False`. Arguments become `ir.Argument`s in
source order, each value static when it can be. A decorator without a call has no arguments.
"""

from __future__ import annotations

import ast
from typing import Final, NamedTuple

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.frontend.imports import ImportTable
from flowc.compiler.frontend.literals import Evaluator
from flowc.compiler.ir import Argument, Decorator, Value
from flowc.compiler.ir.known_decorators import KNOWN_DECORATORS

STEP_MARKS: Final = ("start", "end")


class StepDecorators(NamedTuple):
    """What a method's decorator list says: whether it is a step, its marks, the others."""

    is_step: bool
    is_start: bool = False
    is_end: bool = False
    decorators: tuple[Decorator, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()


def convert(expr: ast.expr, table: ImportTable, evaluator: Evaluator) -> Decorator:
    """The `ir.Decorator` for the expression after `@`. Known-ness does not depend on where
    the decorator is (a step decorator on the class is still `retry`, for the validator to
    say where it belongs)."""
    target = expr.func if isinstance(expr, ast.Call) else expr
    api_name = table.resolve(target)
    is_known = api_name in KNOWN_DECORATORS
    name = api_name if is_known and api_name else evaluator.source_map.text(target)
    arguments = _arguments(expr, evaluator) if isinstance(expr, ast.Call) else ()
    return Decorator(name=name, known=is_known, arguments=arguments,
                     span=evaluator.source_map.span(expr))


def _arguments(call: ast.Call, evaluator: Evaluator) -> tuple[Argument, ...]:
    parts: list[tuple[tuple[int, int], Argument]] = []
    for arg in call.args:
        argument = Argument(keyword=None, value=evaluator.value(arg))
        parts.append(((arg.lineno, arg.col_offset), argument))
    for keyword in call.keywords:
        # **mapping is kept as written and is never static.
        value = (evaluator.value(keyword.value) if keyword.arg is not None
                 else _unpacked(keyword, evaluator))
        argument = Argument(keyword=keyword.arg, value=value)
        parts.append(((keyword.lineno, keyword.col_offset), argument))
    parts.sort(key=lambda part: part[0])
    return tuple(argument for _, argument in parts)


def _unpacked(keyword: ast.keyword, evaluator: Evaluator) -> Value:
    source_map = evaluator.source_map
    return Value(source=source_map.text(keyword), is_literal=False, value=None,
                 span=source_map.span(keyword))


def class_decorators(decorators: list[ast.expr], table: ImportTable,
                     evaluator: Evaluator) -> tuple[Decorator, ...]:
    return tuple(convert(d, table, evaluator) for d in decorators)


def step_decorators(decorators: list[ast.expr], table: ImportTable,
                    evaluator: Evaluator) -> StepDecorators:
    """Reads a method's decorator list; `is_step` is False when `@step` is not there."""
    step_indexes = [i for i, d in enumerate(decorators) if _is_step(d, table)]
    if not step_indexes:
        return StepDecorators(is_step=False)
    diagnostics: list[Diagnostic] = []
    source_map = evaluator.source_map
    first = step_indexes[0]
    for index in step_indexes[1:]:
        diagnostics.append(rule("FLC031").at(
            source_map.span(decorators[index]), "@step is applied twice to the same method"))
    last_step = step_indexes[-1]
    if last_step != len(decorators) - 1:
        below = ", ".join(f"@{source_map.text(d)}" for d in decorators[last_step + 1:]
                          if not _is_step(d, table))
        diagnostics.append(rule("FLC032").at(
            source_map.span(decorators[last_step]),
            f"@step must be the last decorator (closest to def), but {below} comes after it"))
    marks, mark_problems = _marks(decorators[first], evaluator)
    diagnostics.extend(mark_problems)
    others = tuple(
        convert(d, table, evaluator)
        for i, d in enumerate(decorators) if i not in step_indexes
    )
    return StepDecorators(is_step=True, is_start=marks.get("start", False),
                          is_end=marks.get("end", False), decorators=others,
                          diagnostics=tuple(diagnostics))


def _is_step(expr: ast.expr, table: ImportTable) -> bool:
    target = expr.func if isinstance(expr, ast.Call) else expr
    return table.resolve(target) == "step"


def _marks(expr: ast.expr, evaluator: Evaluator) -> tuple[dict[str, bool], list[Diagnostic]]:
    """`start=`/`end=` of `@step(...)`: each must be a static True or False."""
    if not isinstance(expr, ast.Call):
        return {}, []
    marks: dict[str, bool] = {}
    problems: list[Diagnostic] = []
    source_map = evaluator.source_map
    for arg in expr.args:
        problems.append(rule("FLC030").at(
            source_map.span(arg), "@step takes no positional arguments (only start= and end=)"))
    for keyword in expr.keywords:
        if keyword.arg not in STEP_MARKS:
            what = "**" + source_map.text(keyword.value) if keyword.arg is None else keyword.arg
            problems.append(rule("FLC030").at(
                source_map.span(keyword), f"@step does not take '{what}' (only start= and end=)"))
            continue
        value = evaluator.static(keyword.value)
        if not isinstance(value, bool):
            problems.append(rule("FLC030").at(
                source_map.span(keyword.value),
                f"@step({keyword.arg}=...) must be True or False, "
                f"not {source_map.text(keyword.value)}"))
            continue
        marks[keyword.arg] = value
    return marks, problems
