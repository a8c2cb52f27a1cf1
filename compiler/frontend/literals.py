"""Static values: a safe evaluator for literal expressions and simple constants.

`Evaluator.value(expr)` gives the `ir.Value` of an argument: its source text always, and its
value when the expression is built only from literals (numbers, strings including implicit
concatenation, True/False/None, tuples/lists -> tuples, dicts with string keys), arithmetic
on them (`60 * 60`, `-1`, `"a" + "b"`) and *constants*. A constant is a name bound exactly
once in its scope (the module, or the class body for decorators and parameters), by a plain
`NAME = <static expression>` assignment; constants may use earlier constants. Nothing is
ever executed, and sizes are bounded so that `10 ** 10 ** 10` is simply "not static".
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterable, Mapping
from typing import Final, NamedTuple

from compiler.frontend.spans import SourceMap
from compiler.ir import JsonValue, Value


class _NotStatic:
    """The marker for "no static value" (None is a legitimate value)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NOT_STATIC"


NOT_STATIC: Final = _NotStatic()
MAX_INT_BITS: Final = 4096
MAX_STR_LENGTH: Final = 100_000
# Bounds on a static value as a whole, so that constants built from constants
# (`B = [A, A]`, `C = [B, B]`, ...) cannot grow deeper than JSON nests or larger than a file.
MAX_DEPTH: Final = 64
MAX_WEIGHT: Final = 100_000


class Evaluator(NamedTuple):
    """Evaluates expressions of one scope against its known constants."""

    source_map: SourceMap
    constants: Mapping[str, JsonValue]
    sizes: dict[int, tuple[JsonValue, int, int]]  # see `_measure`; one per file

    def value(self, expr: ast.expr) -> Value:
        """The `ir.Value` of `expr`: literal when static, source text always."""
        result = self.static(expr)
        span = self.source_map.span(expr)
        source = self.source_map.text(expr)
        if isinstance(result, _NotStatic):
            return Value(source=source, is_literal=False, value=None, span=span)
        return Value(source=source, is_literal=True, value=result, span=span)

    def static(self, expr: ast.expr) -> JsonValue | _NotStatic:
        """The static value of `expr`, or NOT_STATIC."""
        try:
            result = self._eval(expr)
        except (RecursionError, ArithmeticError, ValueError, TypeError, MemoryError):
            return NOT_STATIC
        if isinstance(result, _NotStatic):
            return result
        depth, weight = _measure(result, self.sizes)
        return result if depth <= MAX_DEPTH and weight <= MAX_WEIGHT else NOT_STATIC

    def string(self, expr: ast.expr) -> str | None:
        """The value of `expr` when it is statically a string."""
        result = self.static(expr)
        return result if isinstance(result, str) else None

    def with_constants(self, constants: Mapping[str, JsonValue]) -> Evaluator:
        return self._replace(constants=constants)

    def _eval(self, expr: ast.expr) -> JsonValue | _NotStatic:
        match expr:
            case ast.Constant(value=value):
                return _constant(value)
            case ast.Name(id=name):
                return self.constants.get(name, NOT_STATIC)
            case ast.JoinedStr(values=parts):
                if all(isinstance(p, ast.Constant) and isinstance(p.value, str) for p in parts):
                    return "".join(p.value for p in parts)  # type: ignore[attr-defined]
                return NOT_STATIC
            case ast.Tuple(elts=items) | ast.List(elts=items):
                values = [self._eval(item) for item in items]
                if any(isinstance(v, _NotStatic) for v in values):
                    return NOT_STATIC
                return tuple(values)  # type: ignore[arg-type]
            case ast.Dict(keys=keys, values=items):
                return self._dict(keys, items)
            case ast.UnaryOp(op=op, operand=operand):
                return _unary(op, self._eval(operand))
            case ast.BinOp(left=left, op=op, right=right):
                return _binary(op, self._eval(left), self._eval(right))
        return NOT_STATIC

    def _dict(self, keys: list[ast.expr | None], items: list[ast.expr]) -> JsonValue | _NotStatic:
        result: dict[str, JsonValue] = {}
        for key, item in zip(keys, items, strict=True):
            key_value = NOT_STATIC if key is None else self._eval(key)
            value = self._eval(item)
            if not isinstance(key_value, str) or isinstance(value, _NotStatic):
                return NOT_STATIC
            result[key_value] = value
        return result


def _measure(value: JsonValue, sizes: dict[int, tuple[JsonValue, int, int]]) -> tuple[int, int]:
    """(depth, weight) of a value: one per node plus one per 64 characters of text, shared
    parts counted every time. Containers are memoized in `sizes` (which keeps them alive, so
    their ids stay unique), so measuring constants built from constants stays linear."""
    if not isinstance(value, tuple | dict):
        return 0, 1 + (len(value) // 64 if isinstance(value, str) else 0)
    known = sizes.get(id(value))
    if known is not None:
        return known[1], known[2]
    depth, weight = 0, 1
    for item in value.values() if isinstance(value, dict) else value:
        item_depth, item_weight = _measure(item, sizes)
        depth, weight = max(depth, item_depth + 1), weight + item_weight
        if depth > MAX_DEPTH or weight > MAX_WEIGHT:
            break
    sizes[id(value)] = (value, depth, weight)
    return depth, weight


def _constant(value: object) -> JsonValue | _NotStatic:
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return _checked(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else NOT_STATIC
    return NOT_STATIC  # bytes, complex, Ellipsis: not JSON


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _checked(value: object) -> JsonValue | _NotStatic:
    """`value` if it is a JSON-safe result of arithmetic, else NOT_STATIC."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if value.bit_length() <= MAX_INT_BITS else NOT_STATIC
    if isinstance(value, float):
        return value if math.isfinite(value) else NOT_STATIC
    if isinstance(value, str):
        return value if len(value) <= MAX_STR_LENGTH else NOT_STATIC
    return NOT_STATIC


def _unary(op: ast.unaryop, operand: JsonValue | _NotStatic) -> JsonValue | _NotStatic:
    if isinstance(op, ast.Not) and isinstance(operand, bool):
        return not operand
    if not _is_number(operand):
        return NOT_STATIC
    number: float = operand  # type: ignore[assignment]
    if isinstance(op, ast.USub):
        return _checked(-number)
    if isinstance(op, ast.UAdd):
        return _checked(+number)
    return NOT_STATIC


def _binary(
    op: ast.operator, left: JsonValue | _NotStatic, right: JsonValue | _NotStatic
) -> JsonValue | _NotStatic:
    if isinstance(left, str) and isinstance(right, str) and isinstance(op, ast.Add):
        return _checked(left + right)
    if isinstance(op, ast.Mult) and isinstance(left, str) and _is_int(right):
        return _repeat(left, right)  # type: ignore[arg-type]
    if isinstance(op, ast.Mult) and isinstance(right, str) and _is_int(left):
        return _repeat(right, left)  # type: ignore[arg-type]
    if not (_is_number(left) and _is_number(right)):
        return NOT_STATIC
    a: float = left  # type: ignore[assignment]
    b: float = right  # type: ignore[assignment]
    match op:
        case ast.Add():
            return _checked(a + b)
        case ast.Sub():
            return _checked(a - b)
        case ast.Mult():
            return _checked(a * b)
        case ast.Div():
            return _checked(a / b)
        case ast.FloorDiv():
            return _checked(a // b)
        case ast.Mod():
            return _checked(a % b)
        case ast.Pow():
            return _power(a, b)
    return NOT_STATIC


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _repeat(text: str, times: int) -> JsonValue | _NotStatic:
    if len(text) * max(times, 0) > MAX_STR_LENGTH:
        return NOT_STATIC
    return text * times


def _power(base: float, exponent: float) -> JsonValue | _NotStatic:
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0:
        if abs(base) > 1 and exponent * base.bit_length() > MAX_INT_BITS:
            return NOT_STATIC
    elif abs(exponent) > 10_000:
        return NOT_STATIC
    result = base**exponent
    if isinstance(result, complex):
        return NOT_STATIC
    return _checked(result)


# --- constants --------------------------------------------------------------------------------


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
        for name in _bindings(statement, nested=nested):
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
        if not isinstance(result, _NotStatic):
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


def _bindings(statement: ast.stmt, *, nested: bool) -> list[str]:
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
            found += _bindings(child, nested=True)
    for handler in getattr(statement, "handlers", []):
        if handler.name:
            found.append(handler.name)
        for child in handler.body:
            found += _bindings(child, nested=True)
    return found


def _stored(targets: Iterable[ast.expr]) -> list[str]:
    return [
        node.id
        for target in targets
        for node in ast.walk(target)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    ]
