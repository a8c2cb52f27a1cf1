"""Decode the start step's `--param NAME=VALUE` strings by the types the IR gives.

The same rules on every target: str as is; int and float by Python's parsers; bool from
true/false/1/0/yes/no/on/off (any case); json by `json.loads`. A parameter with a
`separator` splits the raw string and decodes each part, giving a list. Absent parameters
take their default (the IR's literal, else the runtime `Parameter` object's value; a string
default is decoded like a given value, as Metaflow's click types do); a
required one without a value, an unknown name or an undecodable value is a UsageError
(exit 2) that names the parameter.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from flowc.compiler.ir import Flow, ParameterType, literal_to_python
from flowc.compiler.ir import Parameter as IRParameter
from flowc.runtime_shim.errors import UsageError

_TRUE = frozenset({"true", "1", "yes", "y", "on", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "off", "f"})


def split_assignments(raw: Iterable[str]) -> dict[str, str]:
    """`["a=1", "b=x=y"]` -> `{"a": "1", "b": "x=y"}`; a missing `=` or a repeat is an error."""
    values: dict[str, str] = {}
    for item in raw:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--param expects NAME=VALUE, got {item!r}")
        if name in values:
            raise UsageError(f"parameter '{name}' is given twice")
        values[name] = value
    return values


def decode_value(kind: ParameterType, raw: str, *, name: str) -> Any:
    """One raw string decoded as `kind`; raises UsageError naming the parameter."""
    try:
        match kind:
            case "str":
                return raw
            case "int":
                return int(raw.strip())
            case "float":
                return float(raw.strip())
            case "bool":
                lowered = raw.strip().lower()
                if lowered in _TRUE:
                    return True
                if lowered in _FALSE:
                    return False
                raise ValueError("expected true/false, 1/0 or yes/no")
            case "json":
                return json.loads(raw)
    except ValueError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UsageError(f"parameter '{name}': {raw!r} is not a valid {kind} ({reason})") from None
    raise UsageError(f"parameter '{name}' has unknown type {kind!r}")


def _decode(param: IRParameter, raw: str) -> Any:
    if param.separator:
        parts = raw.split(param.separator) if raw else []
        return [decode_value(param.type, part, name=param.name) for part in parts]
    return decode_value(param.type, raw, name=param.name)


def _default(param: IRParameter, runtime_defaults: Mapping[str, Any]) -> tuple[bool, Any]:
    """(has a default, its value): the IR literal, else the runtime object's default."""
    if param.default is not None and param.default.is_literal:
        return True, literal_to_python(param.default.value)
    if param.attribute in runtime_defaults:
        value = runtime_defaults[param.attribute]
        return True, value() if callable(value) else value
    return False, None


def resolve_parameters(
    flow: Flow, raw: Iterable[str], runtime_defaults: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Every parameter's value keyed by attribute name (the artifact name), from `--param`s.

    `runtime_defaults` maps attribute -> default for defaults the IR could not evaluate
    statically (taken from the flow class's `Parameter` objects).
    """
    given = split_assignments(raw)
    by_name: dict[str, IRParameter] = {}
    for param in flow.parameters:
        by_name[param.name] = param
        by_name.setdefault(param.attribute, param)
    unknown = sorted(name for name in given if name not in by_name)
    if unknown:
        known = ", ".join(p.name for p in flow.parameters) or "none"
        raise UsageError(f"unknown parameter '{unknown[0]}' for flow {flow.name} (known: {known})")
    chosen: dict[str, str] = {}
    for name, raw_value in given.items():
        param = by_name[name]
        if param.attribute in chosen:
            raise UsageError(f"parameter '{param.name}' is given twice")
        chosen[param.attribute] = raw_value
    values: dict[str, Any] = {}
    for param in flow.parameters:
        if param.attribute in chosen:
            values[param.attribute] = _decode(param, chosen[param.attribute])
            continue
        has_default, default = _default(param, runtime_defaults or {})
        if isinstance(default, str):  # a string default is decoded like a given value
            default = _decode(param, default)
        if param.required and (not has_default or default is None):
            raise UsageError(
                f"missing required parameter '{param.name}' (pass --param {param.name}=VALUE)"
            )
        values[param.attribute] = default
    return values
