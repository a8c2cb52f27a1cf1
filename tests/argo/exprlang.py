"""A safe, explicit subset of expr-lang, the language of Argo's `{{=EXPR}}` tags and of
`retryStrategy.expression` (docs/variables.md "Expression", docs/retries.md).

Supported: integer, decimal and string literals, `true`/`false`; variables by dotted name
(`inputs.parameters.iteration`, `lastRetry.exitCode`) or with bracket segments
(`inputs.parameters['a-b']`, `tasks['my-task'].outputs.result`); the functions `asInt`,
`asFloat`, `string` and `toJson`; `+ - * /`, unary `-`, comparisons, `&&`, `||`, `!` and
parentheses. It differs from govaluate's `when` where expr does: a bare word is a variable
(never a string), `==` between a number and a string is false, `/` always gives a float, and
`+` joins two strings. Anything else raises UnsupportedExpression naming it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from argo.expressions import Dialect, ExpressionError, Parser, Value, tokens

_TOKEN = re.compile(
    r"\s*(?:(?P<op>&&|\|\||==|!=|>=|<=|[-+*/!<>(),])"
    r"|(?P<num>\d+(?:\.\d+)?(?![\w.]))"
    r"|'(?P<sq>[^'\\]*)'|\"(?P<dq>[^\"\\]*)\""
    r"|(?P<call>[A-Za-z_][\w.]*)(?=\s*\()"
    r"|(?P<word>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\s*'[^']*'\s*\]|\[\s*\"[^\"]*\"\s*\])*))"
)
# expr-lang words outside this subset: reported by name rather than looked up as variables.
_UNSUPPORTED_WORDS = {"and", "or", "not", "in", "matches", "contains", "startsWith", "endsWith"}
_UNSUPPORTED_WORDS |= {"nil", "let", "if", "else"}


class UnsupportedExpression(ExpressionError):
    """A construct of expr-lang that this subset does not implement; the message names it."""


def _number(value: Value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _as_int(value: Value) -> int:
    if _number(value):
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d+\s*", value):
        return int(value)
    raise ExpressionError(f"asInt({value!r}): not an integer")


def _as_float(value: Value) -> float:
    if _number(value):
        return float(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d+(\.\d*)?([eE][-+]?\d+)?\s*", value):
        return float(value)
    raise ExpressionError(f"asFloat({value!r}): not a number")


def _string(value: Value) -> str:
    from argo.variables import format_value  # the same printing as a substituted value

    return format_value(value)


FUNCTIONS: dict[str, Callable[[Value], Value]] = {
    "asInt": _as_int,
    "asFloat": _as_float,
    "string": _string,
    "toJson": lambda value: json.dumps(value),
}


def _call(expression: str, name: str, arguments: list[Value]) -> Value:
    if name not in FUNCTIONS:
        raise UnsupportedExpression(f"function {name!r} in {expression!r} is not supported")
    if len(arguments) != 1:
        raise ExpressionError(f"{name} takes one argument in {expression!r}")
    return FUNCTIONS[name](arguments[0])


def _arithmetic(expression: str, operator: str, left: Value, right: Value) -> Value:
    if operator == "+" and isinstance(left, str) and isinstance(right, str):
        return left + right
    if not (_number(left) and _number(right)):
        raise ExpressionError(f"invalid operation: {left!r} {operator} {right!r} in {expression!r}")
    if operator == "/":
        if right == 0:
            raise ExpressionError(f"division by zero in {expression!r}")
        return left / right
    return {"+": left + right, "-": left - right, "*": left * right}[operator]


def _compare(expression: str, operator: str, left: Value, right: Value) -> bool:
    if operator in ("=~", "!~"):
        raise UnsupportedExpression(f"operator {operator!r} in {expression!r} (expr has none)")
    if operator in ("==", "!="):
        same = (
            left == right
            if _number(left) and _number(right)
            else (type(left) is type(right) and left == right)
        )
        return same if operator == "==" else not same
    both_strings = isinstance(left, str) and isinstance(right, str)
    if not ((_number(left) and _number(right)) or both_strings):
        raise ExpressionError(f"cannot compare {left!r} {operator} {right!r} in {expression!r}")
    return {">": left > right, "<": left < right, ">=": left >= right, "<=": left <= right}[  # type: ignore[operator]
        operator
    ]


EXPR = Dialect(compare=_compare, arithmetic=_arithmetic, call=_call)


def variable_name(path: str) -> str:
    """`inputs.parameters['a-b']` as the dotted name `inputs.parameters.a-b`."""
    return re.sub(r"\[\s*(['\"])(.*?)\1\s*\]", r".\2", path)


def evaluate_expr(expression: str, lookup: Callable[[str], str]) -> Value:
    """Evaluate `expression`; `lookup(name)` gives a variable's (string) value or raises."""

    def convert(match: re.Match[str], resolve: bool = True) -> Value:
        if match.group("num") is not None:
            text = match.group("num")
            return float(text) if "." in text else int(text)
        if match.group("sq") is not None or match.group("dq") is not None:
            return match.group("sq") if match.group("sq") is not None else match.group("dq")
        word = match.group("word")
        if word in ("true", "false"):
            return word == "true"
        if word in _UNSUPPORTED_WORDS:
            raise UnsupportedExpression(f"{word!r} in {expression!r} is not supported")
        return lookup(variable_name(word)) if resolve else ""

    try:  # read it all first, so that an unsupported construct is named before any variable
        tokens(expression, _TOKEN, lambda match: convert(match, resolve=False))
        found = tokens(expression, _TOKEN, convert)
    except UnsupportedExpression:
        raise
    except ExpressionError as error:
        raise UnsupportedExpression(f"{error} (outside the supported expr subset)") from None
    return Parser(expression, found, EXPR).parse()


def evaluate_bool(expression: str, lookup: Callable[[str], str]) -> bool:
    """Evaluate an expression that must give a boolean (e.g. `retryStrategy.expression`)."""
    value = evaluate_expr(expression, lookup)
    if not isinstance(value, bool):
        raise ExpressionError(f"expression {expression!r} gave {value!r}, not a boolean")
    return value
