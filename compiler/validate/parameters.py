"""Parameter rules: distinct names (FLC021), no reserved names (FLC022), a default that fits
the declared type (FLC023), and no name shared with a step (FLC025)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.ir import JsonValue, Parameter, literal_to_python
from flowc.compiler.validate.context import RESERVED_STEP_NAMES, RuleContext

# Metaflow's reserved parameter names (metaflow/parameters.py): its command-line options.
_METAFLOW_RESERVED = (
    "params", "with", "tag", "namespace", "obj", "tags", "decospecs", "run-id-file",
    "max-num-splits", "max-workers", "max-log-size", "user-namespace", "run-id", "task-id",
    "runner-attribute-file",
)
# flowc's own: options of the runtime shim's command line and of `flowc run`.
_FLOWC_RESERVED = (
    "datastore", "code-package", "code-dir", "index-path", "iteration", "retry-count",
    "param", "outputs-dir", "xcom-file", "step", "flow", "target",
)
RESERVED_PARAMETER_NAMES = frozenset(
    spelling
    for name in (*_METAFLOW_RESERVED, *_FLOWC_RESERVED)
    for spelling in (name, name.replace("-", "_"))
)


# Attributes a Parameter cannot be bound to: Metaflow's FlowSpec._NON_PARAMETERS (it skips
# them, and attributes starting with "_", when it collects parameters) and the rest of the
# authoring API on `self`.
RESERVED_ATTRIBUTES = RESERVED_STEP_NAMES | {"cmd", "foreach_stack", "index", "input",
                                             "script_name", "name"}


def _normalized(name: str) -> str:
    """The command-line identity of a parameter: case-insensitive, `-` and `_` alike."""
    return name.lower().replace("-", "_")


def check_duplicate_parameters(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC021: two parameters with the same (case-insensitive) name or attribute."""
    names: dict[str, Parameter] = {}
    attributes: dict[str, Parameter] = {}
    for param in ctx.flow.parameters:
        earlier = names.get(_normalized(param.name))
        if earlier is not None:
            same = "" if earlier.name == param.name else f" (as '{earlier.name}')"
            yield rule("FLC021").at(
                param.span, f"parameter '{param.name}' is declared twice{same}, first on line "
                f"{earlier.span.line}", help="parameter names are case-insensitive and treat "
                "'-' and '_' alike: give every parameter a distinct name")
        elif param.attribute in attributes:
            yield rule("FLC021").at(
                param.span, f"attribute '{param.attribute}' is assigned a parameter twice, "
                f"first on line {attributes[param.attribute].span.line}")
        names.setdefault(_normalized(param.name), param)
        attributes.setdefault(param.attribute, param)


def check_reserved_parameter_names(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC022: a parameter named like a command-line option or an authoring-API attribute."""
    for param in ctx.flow.parameters:
        if param.name in RESERVED_PARAMETER_NAMES or param.name.lower() in RESERVED_PARAMETER_NAMES:
            yield rule("FLC022").at(
                param.span, f"parameter name '{param.name}' is reserved by the command line")
        elif param.attribute in RESERVED_ATTRIBUTES or param.attribute.startswith("_"):
            yield rule("FLC022").at(
                param.span, f"parameter attribute '{param.attribute}' is reserved: Metaflow "
                "ignores a Parameter bound to it, and self."
                f"{param.attribute} belongs to the authoring API",
                help=f"bind the parameter to another attribute: {param.attribute.strip('_')}"
                f"_param = Parameter(\"{param.name}\", ...)")


def _default_problem(param: Parameter, value: JsonValue) -> str | None:
    """Why `value` does not fit `param.type`, or None when it does."""
    match param.type:
        case "str":
            ok = isinstance(value, str)
        case "int":
            ok = isinstance(value, int) and not isinstance(value, bool)
        case "float":
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        case "bool":
            ok = isinstance(value, bool)
        case "json":
            if not isinstance(value, str):
                return None
            try:
                json.loads(value)
            except json.JSONDecodeError as exc:
                return f"a string that is not JSON ({exc.msg})"
            return None
    if ok:
        return None
    plain = literal_to_python(value)
    return f"{type(plain).__name__} {plain!r}"


def check_parameter_defaults(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC023: a literal default that is not a value of the parameter's type."""
    for param in ctx.flow.parameters:
        default = param.default
        if default is None or not default.is_literal or default.value is None:
            continue
        problem = _default_problem(param, default.value)
        if problem is not None:
            yield rule("FLC023").at(
                default.span, f"the default of parameter '{param.name}' is {problem}, "
                f"not {'JSON' if param.type == 'json' else param.type}")


def check_parameter_step_conflicts(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC025: a parameter bound to the same class attribute as a step (one hides the other;
    the parameter's command-line name may equal a step name: it names no attribute)."""
    for param in ctx.flow.parameters:
        if param.attribute in ctx.steps:
            yield rule("FLC025").at(
                param.span, f"parameter '{param.name}' is bound to attribute "
                f"'{param.attribute}', which is also a step")
