"""Flow parameters: `attribute = Parameter("name", default=..., type=..., help=...)`.

The name must be static (FLC020); `type=` must be str, int, float, bool or JSONType (FLC024).
Without `type=`, the type follows Metaflow (`type(default)`, `str` when there is no default
or it is not a literal, e.g. a deploy-time function), except that a list or dict default,
which Metaflow cannot parse from the command line, means "json". `required`, `help` and
`separator` must be static too. Defaults are kept as `ir.Value`s, literal or not.
"""

from __future__ import annotations

import ast
from typing import Final, NamedTuple

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.frontend.imports import ImportTable
from flowc.compiler.frontend.literals import Evaluator
from flowc.compiler.ir import Parameter, ParameterType
from flowc.compiler.ir.unsupported import UNSUPPORTED_FLOW_INPUTS

_BUILTIN_TYPES: Final[dict[str, ParameterType]] = {
    "str": "str", "int": "int", "float": "float", "bool": "bool",
}
# Keywords Metaflow's Parameter accepts that flowc has no use for (not errors).
_IGNORED_KEYWORDS: Final = frozenset({"show_default", "hidden"})
_KEYWORDS: Final = ("name", "default", "type", "help", "required", "separator")


class ParameterResult(NamedTuple):
    parameter: Parameter | None
    diagnostics: tuple[Diagnostic, ...] = ()


def _assigned_api_call(statement: ast.stmt,
                       table: ImportTable) -> tuple[str, ast.expr, ast.Call, str] | None:
    """`(attribute, target node, call, API name)` when `statement` assigns an API call to a
    plain name (`alpha = Parameter(...)`, `data = metaflow.IncludeFile(...)`)."""
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target: ast.expr = statement.targets[0]
        value: ast.expr | None = statement.value
    elif isinstance(statement, ast.AnnAssign):
        target, value = statement.target, statement.value
    else:
        return None
    if not isinstance(value, ast.Call) or not isinstance(target, ast.Name):
        return None
    name = table.resolve(value.func)
    return None if name is None else (target.id, target, value, name)


def parameter_call(statement: ast.stmt,
                   table: ImportTable) -> tuple[str, ast.expr, ast.Call] | None:
    """`(attribute, target node, call)` when `statement` assigns a `Parameter(...)` call."""
    found = _assigned_api_call(statement, table)
    if found is None or found[3] != "Parameter":
        return None
    return found[:3]


def unsupported_input(statement: ast.stmt, table: ImportTable,
                      evaluator: Evaluator) -> Diagnostic | None:
    """FLC026 at `data = IncludeFile(...)` or `config = Config(...)`: kept by Metaflow as a
    flow input, which flowc would otherwise drop without a word."""
    found = _assigned_api_call(statement, table)
    if found is None or found[3] not in UNSUPPORTED_FLOW_INPUTS:
        return None
    attribute, target, _, kind = found
    return rule("FLC026").at(
        evaluator.source_map.span(target),
        f"flowc does not support {kind}: '{attribute}' would never reach the flow's tasks",
        help=UNSUPPORTED_FLOW_INPUTS[kind])


def read_parameter(attribute: str, target: ast.expr, call: ast.Call, table: ImportTable,
                   evaluator: Evaluator) -> ParameterResult:
    span_of, text_of = evaluator.source_map.span, evaluator.source_map.text
    invalid = rule("FLC020")
    problems: list[Diagnostic] = []
    arguments: dict[str, ast.expr] = {}
    positional = ("name", "default", "type", "help", "required", "show_default")  # Metaflow's order
    for index, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred) or index >= len(positional):
            problems.append(invalid.at(span_of(arg), f"unexpected argument {text_of(arg)}"))
            continue
        arguments[positional[index]] = arg
    for keyword in call.keywords:
        if keyword.arg is None:
            problems.append(invalid.at(span_of(keyword), "Parameter(...) arguments must be "
                                       f"written out, not unpacked from {text_of(keyword)}"))
        elif keyword.arg in _KEYWORDS:
            arguments[keyword.arg] = keyword.value
        elif keyword.arg not in _IGNORED_KEYWORDS:
            problems.append(invalid.at(span_of(keyword),
                                       f"Parameter(...) has no argument '{keyword.arg}'"))
    span = span_of(target)
    name_expr = arguments.get("name")
    name = None if name_expr is None else evaluator.string(name_expr)
    if name_expr is None:
        problems.append(invalid.at(span, f"parameter '{attribute}' has no name: "
                                   f'write Parameter("{attribute}", ...)'))
    elif name is None:
        problems.append(invalid.at(span_of(name_expr), "the parameter name must be a string "
                                   f"literal, not {text_of(name_expr)}"))
    default = None if "default" not in arguments else evaluator.value(arguments["default"])
    type_expr = arguments.get("type")
    param_type = _declared_type(type_expr, table) if type_expr is not None else None
    if type_expr is not None and param_type is None:
        problems.append(rule("FLC024").at(
            span_of(type_expr), f"unsupported parameter type {text_of(type_expr)} "
            "(use str, int, float, bool or JSONType)"))
    if param_type is None:
        param_type = _inferred_type(default.value if default and default.is_literal else None)
    flags: dict[str, object] = {}
    for key, wanted in (("required", bool), ("help", str), ("separator", str)):
        expr = arguments.get(key)
        if expr is None:
            continue
        value = evaluator.static(expr)
        if value is None or isinstance(value, wanted):
            flags[key] = value
        else:
            kind = "True or False" if wanted is bool else "a string literal"
            problems.append(invalid.at(span_of(expr),
                                       f"{key}= must be {kind}, not {text_of(expr)}"))
    if problems or name is None:
        return ParameterResult(parameter=None, diagnostics=tuple(problems))
    return ParameterResult(parameter=Parameter(
        name=name,
        attribute=attribute,
        type=param_type,
        default=default,
        required=bool(flags.get("required")),
        help=flags.get("help"),  # type: ignore[arg-type]
        separator=flags.get("separator"),  # type: ignore[arg-type]
        span=span,
    ))


def _declared_type(expr: ast.expr, table: ImportTable) -> ParameterType | None:
    if table.resolve(expr) == "JSONType":
        return "json"
    if isinstance(expr, ast.Name):
        return _BUILTIN_TYPES.get(expr.id)
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) \
            and expr.value.id == "builtins":
        return _BUILTIN_TYPES.get(expr.attr)
    return None


def _inferred_type(default: object) -> ParameterType:
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    if isinstance(default, float):
        return "float"
    if isinstance(default, tuple | dict):
        return "json"
    return "str"
