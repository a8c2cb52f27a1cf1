"""One `@step` method -> `ir.Step`: decorators, marks, arguments, docstring, transition."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from inspect import cleandoc
from typing import NamedTuple

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.frontend.decorators import step_decorators
from flowc.compiler.frontend.imports import ImportTable
from flowc.compiler.frontend.literals import Evaluator
from flowc.compiler.frontend.transitions import step_transition
from flowc.compiler.ir import Step


class StepResult(NamedTuple):
    """A step, the diagnostics found reading it, and whether its transition was rejected."""

    step: Step
    rejected: bool
    diagnostics: tuple[Diagnostic, ...] = ()


def docstring(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> str | None:
    """The node's docstring, cleaned like `inspect.getdoc` does."""
    if not node.body:
        return None
    first = node.body[0]
    if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        # A lone surrogate escape cannot be written as UTF-8: keep it as its escape text.
        return cleandoc(first.value.value).encode("utf-8", "backslashreplace").decode("utf-8")
    return None


def read_step(node: ast.FunctionDef | ast.AsyncFunctionDef, table: ImportTable,
              evaluator: Evaluator) -> StepResult | None:
    """The step a method defines, or None when it is not decorated with `@step`."""
    marks = step_decorators(node.decorator_list, table, evaluator)
    if not marks.is_step:
        return None
    positional = [*node.args.posonlyargs, *node.args.args]
    self_name = positional[0].arg if positional else "self"
    outcome = step_transition(node.body, self_name, evaluator)
    step = Step(
        name=node.name,
        doc=docstring(node),
        inputs=positional[1].arg if len(positional) >= 2 else None,
        argument_count=len(positional),
        decorators=marks.decorators,
        transition=outcome.transition,
        is_start=marks.is_start,
        is_end=marks.is_end,
        span=evaluator.source_map.name_span(node),
    )
    problems = marks.diagnostics + outcome.diagnostics
    if isinstance(node, ast.AsyncFunctionDef):
        problems += (rule("FLC041").at(
            step.span, f"step '{node.name}' is an async def: calling it only makes a "
            "coroutine, so its body never runs"),)
    return StepResult(step=step, rejected=outcome.rejected, diagnostics=problems)


def rebound_steps(statement: ast.stmt, steps: Mapping[str, object],
                  evaluator: Evaluator) -> dict[str, Diagnostic]:
    """FLC043 for `train = retry(times=2)(train)`: a step rebound to an expression of itself
    (a decorator applied by a call). flowc keeps the step as defined and reports the call,
    whose decorators it cannot see, instead of letting the step vanish."""
    if not isinstance(statement, ast.Assign | ast.AnnAssign) or statement.value is None:
        return {}
    targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
    used = {node.id for node in ast.walk(statement.value) if isinstance(node, ast.Name)}
    return {
        target.id: rule("FLC043").at(
            evaluator.source_map.span(target),
            f"step '{target.id}' is rebound to {evaluator.source_map.text(statement.value)}")
        for target in targets
        if isinstance(target, ast.Name) and target.id in steps and target.id in used
    }


def conditional_steps(statement: ast.stmt, table: ImportTable,
                      evaluator: Evaluator) -> tuple[tuple[str, Diagnostic], ...]:
    """(name, FLC042) for every `@step` defined inside a block of the class body (`if`,
    `try`, ...): whether it exists depends on running the class body, which flowc never does."""
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return ()
    found = []
    for node in ast.walk(statement):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and step_decorators(
                node.decorator_list, table, evaluator).is_step:
            found.append((node.name, rule("FLC042").at(
                evaluator.source_map.name_span(node),
                f"step '{node.name}' is defined inside a block of the class body, so flowc "
                "does not see it as a step")))
    return tuple(found)
