"""The small expression languages of Argo DAGs, evaluated the way the controller does:
`when` (govaluate after substitution: bare words are strings) and enhanced `depends`, plus the
one recursive-descent parser they share with the expr-lang subset in `argo.exprlang`.

Anything these evaluators cannot read is an ExpressionError, never a silent true.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

Value = str | int | float | bool


class ExpressionError(ValueError):
    """An expression that cannot be parsed or evaluated."""


_WHEN_TOKEN = re.compile(
    r"\s*(?:(?P<op>&&|\|\||==|!=|>=|<=|=~|!~|>|<|!|\(|\))"
    r"|(?P<num>-?\d+(?:\.\d+)?(?![\w.]))"
    r"|'(?P<sq>[^']*)'|\"(?P<dq>[^\"]*)\""
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))"
)
_DEPENDS_TOKEN = re.compile(
    r"\s*(?:(?P<op>&&|\|\||!|\(|\))|(?P<word>[a-zA-Z0-9][-a-zA-Z0-9]*(?:\.[A-Z][a-zA-Z]+)?))"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Token:
    kind: str  # "op", "value" or "call" (a function name before its "(")
    text: str
    value: Value | None = None


def tokens(
    expression: str, pattern: re.Pattern[str], convert: Callable[[re.Match[str]], Value]
) -> list[Token]:
    found: list[Token] = []
    position = 0
    stripped = expression.rstrip()
    while position < len(stripped):
        match = pattern.match(stripped, position)
        if match is None or match.end() == position:
            raise ExpressionError(
                f"cannot read {expression!r} at {stripped[position:].strip()[:20]!r}"
            )
        if match.group("op"):
            found.append(Token(kind="op", text=match.group("op")))
        elif match.groupdict().get("call"):
            found.append(Token(kind="call", text=match.group("call")))
        else:
            found.append(Token(kind="value", text=match.group(0).strip(), value=convert(match)))
        position = match.end()
    return found


def _when_value(match: re.Match[str]) -> Value:
    if match.group("num") is not None:
        return float(match.group("num"))
    if match.group("sq") is not None:
        return match.group("sq")
    if match.group("dq") is not None:
        return match.group("dq")
    word = match.group("word")
    return {"true": True, "false": False}.get(word, word)


@dataclass(frozen=True, slots=True, kw_only=True)
class Dialect:
    """What differs between the languages: comparison, and (expr only) arithmetic and calls."""

    compare: Callable[[str, str, Value, Value], bool]
    arithmetic: Callable[[str, str, Value, Value], Value] | None = None
    call: Callable[[str, str, list[Value]], Value] | None = None


class Parser:
    """Recursive descent: or -> and -> comparison -> sum -> product -> unary -> primary
    (govaluate's and expr's precedence agree on this subset)."""

    def __init__(
        self, expression: str, tokens: list[Token], dialect: Dialect | None = None
    ) -> None:
        self.expression, self.tokens, self.index = expression, tokens, 0
        self.dialect = dialect or Dialect(compare=govaluate_compare)

    def parse(self) -> Value:
        if not self.tokens:
            raise ExpressionError(f"empty expression {self.expression!r}")
        value = self._or()
        if self.index != len(self.tokens):
            raise ExpressionError(
                f"unexpected {self.tokens[self.index].text!r} in {self.expression!r}"
            )
        return value

    def _peek(self) -> str | None:
        token = self.tokens[self.index] if self.index < len(self.tokens) else None
        return token.text if token is not None and token.kind == "op" else None

    def _bool(self, value: Value) -> bool:
        if not isinstance(value, bool):
            raise ExpressionError(f"{value!r} is not a boolean in {self.expression!r}")
        return value

    def _or(self) -> Value:
        value = self._and()
        while self._peek() == "||":
            self.index += 1
            right = self._and()
            value = self._bool(value) or self._bool(right)
        return value

    def _and(self) -> Value:
        value = self._comparison()
        while self._peek() == "&&":
            self.index += 1
            right = self._comparison()
            value = self._bool(value) and self._bool(right)
        return value

    def _comparison(self) -> Value:
        left = self._binary(("+", "-"))
        operator = self._peek()
        if operator not in ("==", "!=", ">", "<", ">=", "<=", "=~", "!~"):
            return left
        self.index += 1
        return self.dialect.compare(self.expression, operator, left, self._binary(("+", "-")))

    def _binary(self, operators: tuple[str, ...]) -> Value:
        """A sum (`+ -`) of products (`* /`); only a dialect with arithmetic has these tokens."""
        product = operators == ("*", "/")
        value = self._unary() if product else self._binary(("*", "/"))
        while self._peek() in operators and self.dialect.arithmetic is not None:
            operator = self._peek() or ""
            self.index += 1
            right = self._unary() if product else self._binary(("*", "/"))
            value = self.dialect.arithmetic(self.expression, operator, value, right)
        return value

    def _unary(self) -> Value:
        if self._peek() == "!":
            self.index += 1
            return not self._bool(self._unary())
        if self._peek() == "-" and self.dialect.arithmetic is not None:
            self.index += 1
            return self.dialect.arithmetic(self.expression, "-", 0, self._unary())
        return self._primary()

    def _primary(self) -> Value:
        if self.index >= len(self.tokens):
            raise ExpressionError(f"unexpected end of {self.expression!r}")
        token = self.tokens[self.index]
        self.index += 1
        if token.kind == "value":
            assert token.value is not None
            return token.value
        if token.kind == "call" and self.dialect.call is not None:
            return self.dialect.call(self.expression, token.text, self._arguments())
        if token.text == "(":
            value = self._or()
            self._expect(")")
            return value
        raise ExpressionError(f"unexpected {token.text!r} in {self.expression!r}")

    def _arguments(self) -> list[Value]:
        self._expect("(")
        arguments: list[Value] = []
        while self._peek() != ")":
            arguments.append(self._or())
            if self._peek() != ",":
                break
            self.index += 1
        self._expect(")")
        return arguments

    def _expect(self, text: str) -> None:
        if self._peek() != text:
            raise ExpressionError(f"missing {text!r} in {self.expression!r}")
        self.index += 1


def govaluate_compare(expression: str, operator: str, left: Value, right: Value) -> bool:
    if operator == "==":
        return type(left) is type(right) and left == right
    if operator == "!=":
        return not (type(left) is type(right) and left == right)
    if operator in ("=~", "!~"):
        if not (isinstance(left, str) and isinstance(right, str)):
            raise ExpressionError(f"regex operands must be strings in {expression!r}")
        found = re.search(right, left) is not None
        return found if operator == "=~" else not found
    if isinstance(left, bool) or isinstance(right, bool) or type(left) is not type(right):
        raise ExpressionError(f"cannot order {left!r} and {right!r} in {expression!r}")
    ordered = {">": left > right, "<": left < right, ">=": left >= right, "<=": left <= right}  # type: ignore[operator]
    return ordered[operator]


def evaluate_when(expression: str) -> bool:
    """Evaluate a substituted `when`; bare words are strings, as in Argo's shouldExecute."""
    if "{{" in expression:
        raise ExpressionError(f"unresolved variable in when {expression!r}")
    value = Parser(expression, tokens(expression, _WHEN_TOKEN, _when_value)).parse()
    if not isinstance(value, bool):
        raise ExpressionError(f"when {expression!r} is not a boolean")
    return value


TASK_RESULTS = (
    "Succeeded",
    "Failed",
    "Errored",
    "Skipped",
    "Omitted",
    "Daemoned",
    "AnySucceeded",
    "AllFailed",
)


def depends_operands(depends: str) -> list[tuple[str, str | None]]:
    """The `(task, result or None)` operands of a depends expression, in order."""
    operands = []
    for token in tokens(depends, _DEPENDS_TOKEN, lambda m: m.group("word")):
        if token.kind == "value":
            task, _, result = token.text.partition(".")
            if result and result not in TASK_RESULTS:
                raise ExpressionError(f"task result {result!r} for task {task!r} is invalid")
            operands.append((task, result or None))
    return operands


def evaluate_depends(depends: str, results: Callable[[str, str | None], bool]) -> bool:
    """Evaluate enhanced depends; `results(task, result)` answers one operand (None = bare name)."""

    def convert(match: re.Match[str]) -> Value:
        task, _, result = match.group("word").partition(".")
        return results(task, result or None)

    return bool(Parser(depends, tokens(depends, _DEPENDS_TOKEN, convert)).parse())


def bare_dependency(phase: str | None, continue_on: Mapping[str, bool]) -> bool:
    """A bare name in depends: Succeeded || Skipped || Daemoned (+ continueOn failed/error)."""
    allowed = {"Succeeded", "Skipped"}
    if continue_on.get("failed"):
        allowed.add("Failed")
    if continue_on.get("error"):
        allowed.add("Error")
    return phase in allowed
