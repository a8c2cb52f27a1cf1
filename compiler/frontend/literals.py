"""Static values: a safe evaluator for literal expressions and constants.

`Evaluator.value(expr)` gives the `ir.Value` of an argument: its source text always, and its
value when the expression is built only from literals (numbers, strings including implicit
concatenation, True/False/None, tuples/lists -> tuples, dicts with string keys), arithmetic
on them (`60 * 60`, `-1`, `"a" + "b"`) and the constants of its scope (`constants.py`).
A string with a lone surrogate (`"\\ud800"`) is not static: it cannot be written as UTF-8.
Nothing is ever executed, and sizes are bounded so that `10 ** 10 ** 10` or a constant that
doubles itself forty times is simply "not static".
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping
from typing import Final, NamedTuple

from flowc.compiler.frontend.spans import SourceMap
from flowc.compiler.ir import JsonValue, Value


class NotStatic:
    """The marker for "no static value" (None is a legitimate value)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NOT_STATIC"


NOT_STATIC: Final = NotStatic()
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
        if isinstance(result, NotStatic):
            return Value(source=source, is_literal=False, value=None, span=span)
        return Value(source=source, is_literal=True, value=result, span=span)

    def static(self, expr: ast.expr) -> JsonValue | NotStatic:
        """The static value of `expr`, or NOT_STATIC."""
        try:
            result = self._eval(expr)
        except (RecursionError, ArithmeticError, ValueError, TypeError, MemoryError):
            return NOT_STATIC
        if isinstance(result, NotStatic):
            return result
        depth, weight = _measure(result, self.sizes)
        return result if depth <= MAX_DEPTH and weight <= MAX_WEIGHT else NOT_STATIC

    def string(self, expr: ast.expr) -> str | None:
        """The value of `expr` when it is statically a string."""
        result = self.static(expr)
        return result if isinstance(result, str) else None

    def with_constants(self, constants: Mapping[str, JsonValue]) -> Evaluator:
        return self._replace(constants=constants)

    def _eval(self, expr: ast.expr) -> JsonValue | NotStatic:
        match expr:
            case ast.Constant(value=value):
                return _constant(value)
            case ast.Name(id=name):
                return self.constants.get(name, NOT_STATIC)
            case ast.JoinedStr(values=parts):
                if all(isinstance(p, ast.Constant) and isinstance(p.value, str) for p in parts):
                    return _constant("".join(p.value for p in parts))  # type: ignore[attr-defined]
                return NOT_STATIC
            case ast.Tuple(elts=items) | ast.List(elts=items):
                values = [self._eval(item) for item in items]
                if any(isinstance(v, NotStatic) for v in values):
                    return NOT_STATIC
                return tuple(values)  # type: ignore[arg-type]
            case ast.Dict(keys=keys, values=items):
                return self._dict(keys, items)
            case ast.UnaryOp(op=op, operand=operand):
                return _unary(op, self._eval(operand))
            case ast.BinOp(left=left, op=op, right=right):
                return _binary(op, self._eval(left), self._eval(right))
        return NOT_STATIC

    def _dict(self, keys: list[ast.expr | None], items: list[ast.expr]) -> JsonValue | NotStatic:
        result: dict[str, JsonValue] = {}
        for key, item in zip(keys, items, strict=True):
            key_value = NOT_STATIC if key is None else self._eval(key)
            value = self._eval(item)
            if not isinstance(key_value, str) or isinstance(value, NotStatic):
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


def encodable(text: str) -> bool:
    """False when `text` holds a lone surrogate (a `"\\ud800"` escape): Python allows it, but
    no UTF-8 file (ir.json, a target's output) or terminal can carry it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _constant(value: object) -> JsonValue | NotStatic:
    if isinstance(value, str):
        return value if encodable(value) else NOT_STATIC
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return _checked(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else NOT_STATIC
    return NOT_STATIC  # bytes, complex, Ellipsis: not JSON


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _checked(value: object) -> JsonValue | NotStatic:
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


def _unary(op: ast.unaryop, operand: JsonValue | NotStatic) -> JsonValue | NotStatic:
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
    op: ast.operator, left: JsonValue | NotStatic, right: JsonValue | NotStatic
) -> JsonValue | NotStatic:
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


def _repeat(text: str, times: int) -> JsonValue | NotStatic:
    if len(text) * max(times, 0) > MAX_STR_LENGTH:
        return NOT_STATIC
    return text * times


def _power(base: float, exponent: float) -> JsonValue | NotStatic:
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0:
        if abs(base) > 1 and exponent * base.bit_length() > MAX_INT_BITS:
            return NOT_STATIC
    elif abs(exponent) > 10_000:
        return NOT_STATIC
    result = base**exponent
    if isinstance(result, complex):
        return NOT_STATIC
    return _checked(result)
