"""Parameter values as the raw strings the shim decodes: the inverse of `runtime_shim.params`.

A target that passes a parameter value (a schedule's fixed value, a default baked into a
definition) encodes it with `encode_parameter`, and the shim's `decode_value` gives back the
same value on every target: str as is, int and float as Python writes them (`repr` for a float,
so it round-trips exactly), bool as `true`/`false`, json compact. A parameter with a
`separator` takes a list, each item encoded and joined.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from flowc.compiler.ir import Parameter as IRParameter
from flowc.compiler.ir import ParameterType, literal_to_python


class ParameterEncodingError(ValueError):
    """A value that does not fit its parameter type, or that no raw string decodes back to."""


def _encode_one(kind: ParameterType, value: Any) -> str:
    match kind:
        case "str":
            if isinstance(value, str):
                return value
        case "int":
            if isinstance(value, int) and not isinstance(value, bool):
                return str(value)
        case "float":
            if isinstance(value, int | float) and not isinstance(value, bool):
                return repr(float(value))
        case "bool":
            if isinstance(value, bool):
                return "true" if value else "false"
        case "json":
            try:
                return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            except (TypeError, ValueError) as exc:
                raise ParameterEncodingError(f"{value!r:.100} is not JSON: {exc}") from None
        case _:
            raise ParameterEncodingError(f"unknown parameter type {kind!r}")
    raise ParameterEncodingError(f"{value!r:.100} is not a {kind} ({type(value).__name__})")


def encode_parameter(kind: ParameterType, value: Any, *, separator: str | None = None) -> str:
    """The raw string that the shim decodes as `value` for a parameter of type `kind`.

    With `separator`, `value` is a sequence of items, joined; an item that contains the
    separator (or a lone empty item, which decodes as no items) cannot be encoded."""
    if not separator:
        return _encode_one(kind, value)
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise ParameterEncodingError(
            f"a parameter with separator {separator!r} takes a list, got {value!r:.100}")
    parts = [_encode_one(kind, item) for item in value]
    for part in parts:
        if separator in part:
            raise ParameterEncodingError(
                f"item {part!r:.100} contains the separator {separator!r}")
    if parts == [""]:
        raise ParameterEncodingError("a list of one empty item encodes as '', which is no items")
    return separator.join(parts)


def raw_default(parameter: IRParameter) -> str | None:
    """The raw string that decodes to `parameter`'s IR default, for a definition that carries
    the default (Argo arguments, an Airflow param): a string default already is one (the shim
    decodes it like a given value); any other literal is encoded. None: no literal default."""
    if parameter.default is None or not parameter.default.is_literal:
        return None
    value = literal_to_python(parameter.default.value)
    if value is None or isinstance(value, str):
        return value
    return encode_parameter(parameter.type, value, separator=parameter.separator)
