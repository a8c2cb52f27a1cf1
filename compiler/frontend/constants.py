"""Constants: the names of a scope (module or class body) whose static value is known.

A constant is a name bound exactly once in its scope, by a plain `NAME = <static expression>`
(or `NAME: T = ...`) at the top level of the scope; constants may use earlier constants. Any
other binding of a name (a second assignment, a loop variable, an import, a def) makes it
unknown, and hides a constant of the same name from an outer scope.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from flowc.compiler.frontend.literals import Evaluator, NotStatic
from flowc.compiler.ir import JsonValue


def scope_constants(
    body: Iterable[ast.stmt], evaluator: Evaluator, *, nested: bool
) -> dict[str, JsonValue]:
    """The constants of one scope (a module body or a class body), in source order.

    A name counts only if the scope binds it exactly once, by a plain top-level assignment.
    `nested` says whether to look for other bindings inside if/for/while/try/with blocks
    (module level) as well.
    """
    statements = list(body)
    counts: dict[str, int] = {}
    for statement in statements:
        for name in bindings(statement, nested=nested):
            counts[name] = counts.get(name, 0) + 1
    constants: dict[str, JsonValue] = dict(evaluator.constants)
    scoped = evaluator.with_constants(constants)
    local: set[str] = set()
    for statement in statements:
        assignment = _single_assignment(statement)
        if assignment is None:
            continue
        names, value_expr = assignment
        if any(counts.get(name, 0) != 1 for name in names):
            continue
        result = scoped.static(value_expr)
        if not isinstance(result, NotStatic):
            for name in names:
                constants[name] = result
                local.add(name)
    for name in counts:  # any other local binding hides an outer constant
        if name not in local:
            constants.pop(name, None)
    return constants


def _single_assignment(statement: ast.stmt) -> tuple[list[str], ast.expr] | None:
    if isinstance(statement, ast.Assign):
        if all(isinstance(t, ast.Name) for t in statement.targets):
            return [t.id for t in statement.targets], statement.value  # type: ignore[attr-defined]
    elif (isinstance(statement, ast.AnnAssign) and statement.value is not None
          and isinstance(statement.target, ast.Name)):
        return [statement.target.id], statement.value
    return None


def bindings(statement: ast.stmt, *, nested: bool) -> list[str]:
    """The names `statement` binds in its scope (with `nested`, inside its blocks too)."""
    match statement:
        case ast.FunctionDef(name=name) | ast.AsyncFunctionDef(name=name) | ast.ClassDef(
            name=name
        ):
            return [name]
        case ast.Import(names=aliases) | ast.ImportFrom(names=aliases):
            return [(a.asname or a.name).split(".", 1)[0] for a in aliases if a.name != "*"]
        case ast.Assign(targets=targets):
            return _stored(targets)
        case ast.AnnAssign(target=target, value=value):
            return _stored([target]) if value is not None else []
        case ast.AugAssign(target=target):
            return _stored([target])
    if not nested:
        return []
    found: list[str] = []
    for name in ("target", "items"):
        part = getattr(statement, name, None)
        if isinstance(part, ast.expr):
            found += _stored([part])
        elif isinstance(part, list):
            found += _stored([i.optional_vars for i in part if i.optional_vars is not None])
    for block in ("body", "orelse", "finalbody"):
        for child in getattr(statement, block, []):
            found += bindings(child, nested=True)
    for handler in getattr(statement, "handlers", []):
        if handler.name:
            found.append(handler.name)
        for child in handler.body:
            found += bindings(child, nested=True)
    return found


def _stored(targets: Iterable[ast.expr]) -> list[str]:
    return [
        node.id
        for target in targets
        for node in ast.walk(target)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    ]
