"""`self.next(...)`: where it may appear in a step, and which transition each form means.

A step's transition is its last statement, a bare `self.next(...)` call. Anything else is
reported here, once per call, and the step's transition is then *rejected* (left None and
named in `ParsedFlow.rejected_transitions`, so the validator does not add "missing next"):
FLC011 inside if/for/while/try/with/match or a nested function, FLC010 not the last
statement, FLC016 called twice, FLC012 a target that is not `self.<step>`, FLC013/FLC014/
FLC015 non-literal foreach/condition/switch key, FLC124 a dict without condition=, FLC113
any other shape. `self` is the method's first parameter, whatever it is called.
"""

from __future__ import annotations

import ast
from typing import NamedTuple

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.frontend.literals import Evaluator
from flowc.compiler.ir import Foreach, Linear, Parallel, Span, Split, Switch, SwitchCase, Transition

_CONTEXTS: dict[type[ast.AST], str] = {
    ast.If: "an if block",
    ast.For: "a for loop",
    ast.AsyncFor: "a for loop",
    ast.While: "a while loop",
    ast.Try: "a try statement",
    ast.TryStar: "a try statement",
    ast.With: "a with block",
    ast.AsyncWith: "a with block",
    ast.Match: "a match statement",
    ast.FunctionDef: "a nested function",
    ast.AsyncFunctionDef: "a nested function",
    ast.ClassDef: "a nested class",
}
_KEYWORDS = ("foreach", "condition", "num_parallel")


class StepTransition(NamedTuple):
    """The outcome for one step: its transition, or why it was rejected."""

    transition: Transition | None
    rejected: bool
    diagnostics: tuple[Diagnostic, ...] = ()


def is_next_call(node: ast.AST, self_name: str) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "next"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == self_name
    )


def step_transition(body: list[ast.stmt], self_name: str, evaluator: Evaluator) -> StepTransition:
    """Finds every `self.next(...)` in a step body and reads the one allowed."""
    span_of = evaluator.source_map.span
    problems: list[Diagnostic] = []
    direct: list[tuple[int, ast.Call]] = []
    for index, statement in enumerate(body):
        if isinstance(statement, ast.Expr) and is_next_call(statement.value, self_name):
            direct.append((index, statement.value))  # type: ignore[arg-type]
            continue
        if not _may_call_next(statement, evaluator):
            continue
        context = _CONTEXTS.get(type(statement))
        for node in ast.walk(statement):
            if not is_next_call(node, self_name):
                continue
            if context is not None:
                problems.append(rule("FLC011").at(
                    span_of(node), f"self.next(...) is called inside {context}"))
            else:
                problems.append(rule("FLC113").at(
                    span_of(node),
                    "self.next(...) must be a statement of its own, not part of an expression"))
    for _, call in direct[1:]:
        first = direct[0][1]
        problems.append(rule("FLC016").at(
            span_of(call),
            f"self.next(...) is called a second time (first call on line {first.lineno})"))
    if len(direct) == 1 and direct[0][0] != len(body) - 1:
        following = body[direct[0][0] + 1]
        problems.append(rule("FLC010").at(
            span_of(direct[0][1]),
            "self.next(...) is not the last statement of the step "
            f"(line {following.lineno} follows it)"))
    if problems:
        return StepTransition(transition=None, rejected=True, diagnostics=tuple(problems))
    if not direct:  # no self.next at all: the validator decides whether that is wrong
        return StepTransition(transition=None, rejected=False)
    transition, form_problems = read_next(direct[0][1], self_name, evaluator)
    if form_problems:
        return StepTransition(transition=None, rejected=True, diagnostics=tuple(form_problems))
    return StepTransition(transition=transition, rejected=False)


def _may_call_next(statement: ast.stmt, evaluator: Evaluator) -> bool:
    """False when the statement's text cannot contain a `next` attribute: a string search
    that spares walking most statements of a step. Non-ASCII lines are always walked, since
    identifiers are NFKC-normalized (a full-width `ｎｅｘｔ` is `next`)."""
    lines = evaluator.source_map.lines
    end = statement.end_lineno or statement.lineno
    return any("next" in text or not text.isascii() for text in lines[statement.lineno - 1:end])


def read_next(call: ast.Call, self_name: str,
              evaluator: Evaluator) -> tuple[Transition | None, list[Diagnostic]]:
    """The transition a well-placed `self.next(...)` call means, or why it has none."""
    span_of = evaluator.source_map.span
    span = span_of(call)
    invalid = rule("FLC113")
    problems: list[Diagnostic] = []
    keywords: dict[str, ast.expr] = {}
    for keyword in call.keywords:
        if keyword.arg is None:
            problems.append(invalid.at(span_of(keyword), "self.next(...) does not accept **kwargs"))
        elif keyword.arg not in _KEYWORDS:
            problems.append(invalid.at(span_of(keyword),
                                       f"self.next(...) has no keyword '{keyword.arg}' "
                                       "(expected foreach=, condition= or num_parallel=)"))
        else:
            keywords[keyword.arg] = keyword.value
    for star in call.args:
        if isinstance(star, ast.Starred):
            problems.append(invalid.at(span_of(star), "self.next(...) does not accept *args: "
                                       "name each target step"))
    if not call.args:
        problems.append(invalid.at(span, "self.next() needs at least one target step"))
    if problems:
        return None, problems
    if isinstance(call.args[0], ast.Dict):
        return _switch(call, keywords, self_name, evaluator)
    for arg in call.args[1:]:
        if isinstance(arg, ast.Dict):
            return None, [invalid.at(span_of(arg), "a switch dict must be the only positional "
                                     "argument of self.next(...)")]
    targets: list[str] = []
    spans: list[Span] = []
    for arg in call.args:
        target = _target(arg, self_name)
        if target is None:
            problems.append(_dynamic_target(arg, evaluator))
        else:
            targets.append(target)
            spans.append(span_of(arg))
    if "condition" in keywords:
        problems.append(invalid.at(span_of(keywords["condition"]),
                                   "condition= needs a dict of cases as the first argument: "
                                   'self.next({"a": self.a, "b": self.b}, condition="var")'))
    if "foreach" in keywords and "num_parallel" in keywords:
        problems.append(invalid.at(span, "self.next(...) takes foreach= or num_parallel=, "
                                   "not both"))
    fanout = next((k for k in ("foreach", "num_parallel") if k in keywords), None)
    if fanout is not None and len(call.args) != 1:
        problems.append(invalid.at(span, f"{fanout}= takes exactly one target step, "
                                   f"not {len(call.args)}"))
    if problems:
        return None, problems
    if fanout == "foreach":
        items = evaluator.string(keywords["foreach"])
        if items is None:
            return None, [rule("FLC013").at(
                span_of(keywords["foreach"]),
                f"foreach= must name an artifact as a string literal, not "
                f"{evaluator.source_map.text(keywords['foreach'])}")]
        return Foreach(target=targets[0], target_span=spans[0], items=items, span=span), []
    if fanout == "num_parallel":
        return Parallel(target=targets[0], target_span=spans[0],
                        num_parallel=evaluator.value(keywords["num_parallel"]), span=span), []
    if len(targets) == 1:
        return Linear(target=targets[0], target_span=spans[0], span=span), []
    return Split(branches=tuple(targets), branch_spans=tuple(spans), span=span), []


def _switch(call: ast.Call, keywords: dict[str, ast.expr], self_name: str,
            evaluator: Evaluator) -> tuple[Transition | None, list[Diagnostic]]:
    span_of = evaluator.source_map.span
    text_of = evaluator.source_map.text
    span = span_of(call)
    problems: list[Diagnostic] = []
    if len(call.args) > 1:
        problems.append(rule("FLC113").at(span_of(call.args[1]), "a switch takes its cases as "
                                          "one dict: no other positional argument"))
    for other in ("foreach", "num_parallel"):
        if other in keywords:
            problems.append(rule("FLC113").at(span_of(keywords[other]),
                                              f"a switch cannot also take {other}="))
    cases: list[SwitchCase] = []
    seen: dict[str, int] = {}
    cases_dict: ast.Dict = call.args[0]  # type: ignore[assignment]
    for key, value in zip(cases_dict.keys, cases_dict.values, strict=True):
        if key is None:
            problems.append(rule("FLC015").at(span_of(value), "a switch dict cannot unpack "
                                              f"**{text_of(value)}: write each case"))
            continue
        key_value = evaluator.string(key)
        target = _target(value, self_name)
        if key_value is None:
            what = ("a string no UTF-8 file can hold (a lone surrogate)"
                    if isinstance(key, ast.Constant) and isinstance(key.value, str)
                    else "not a string literal")
            problems.append(rule("FLC015").at(
                span_of(key), f"switch case key {text_of(key)} is {what}"))
        elif key_value in seen:
            problems.append(rule("FLC113").at(
                span_of(key), f"switch case '{key_value}' appears twice (first on line "
                f"{seen[key_value]})"))
        if target is None:
            problems.append(_dynamic_target(value, evaluator))
        if key_value is not None and target is not None and key_value not in seen:
            seen[key_value] = key.lineno
            cases.append(SwitchCase(value=key_value, target=target, target_span=span_of(value),
                                    span=span_of(key)))
    condition_expr = keywords.get("condition")
    if condition_expr is None:
        problems.append(rule("FLC124").at(span, "a switch (a dict of cases) needs condition= "
                                          "naming the artifact that chooses the case"))
    elif evaluator.string(condition_expr) is None:
        problems.append(rule("FLC014").at(
            span_of(condition_expr),
            f"condition= must name an artifact as a string literal, not {text_of(condition_expr)}"))
    if problems:
        return None, problems
    condition = evaluator.string(condition_expr)  # type: ignore[arg-type]
    assert condition is not None
    return Switch(cases=tuple(cases), condition=condition, span=span), []


def _target(expr: ast.expr, self_name: str) -> str | None:
    """The step named by `self.<step>`, or None for any other expression."""
    if (isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name)
            and expr.value.id == self_name):
        return expr.attr
    return None


def _dynamic_target(expr: ast.expr, evaluator: Evaluator) -> Diagnostic:
    text = evaluator.source_map.text(expr)
    hint = None
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str) and expr.value.isidentifier():
        hint = f"write self.next(self.{expr.value})"
    return rule("FLC012").at(evaluator.source_map.span(expr),
                             f"the target {text} is not a step of this flow written as self.<step>",
                             help=hint)
