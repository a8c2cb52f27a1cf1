"""Parameter decoding by IR type, defaults, separators and the errors that name the parameter."""

from __future__ import annotations

from typing import Any

import pytest
from flowc.compiler.ir import Flow, Parameter, ParameterType, Span, Value
from flowc.runtime_shim.errors import EXIT_USAGE, UsageError
from flowc.runtime_shim.params import decode_value, resolve_parameters, split_assignments

SPAN = Span(path="flow.py", line=1, col=1, end_line=1, end_col=2)


def _param(name: str, kind: ParameterType = "str", default: Any = ..., *, literal: bool = True,
           attribute: str | None = None, **extra: Any) -> Parameter:
    value = None
    if default is not ...:
        value = Value(source=repr(default), is_literal=literal,
                      value=default if literal else None, span=SPAN)
    return Parameter(name=name, attribute=attribute or name, type=kind, default=value,
                     span=SPAN, **extra)


def _flow(*params: Parameter) -> Flow:
    return Flow(name="ParamFlow", path="flow.py", parameters=params, span=SPAN)


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("str", " spaced ", " spaced "),
        ("int", "42", 42),
        ("int", " -7 ", -7),
        ("float", "0.25", 0.25),
        ("float", "1e3", 1000.0),
        ("bool", "true", True),
        ("bool", "False", False),
        ("bool", "1", True),
        ("bool", "0", False),
        ("bool", "YES", True),
        ("bool", "no", False),
        ("json", '{"a": [1, 2]}', {"a": [1, 2]}),
        ("json", "3", 3),
    ],
)
def test_decode_by_type(kind: ParameterType, raw: str, expected: Any) -> None:
    assert decode_value(kind, raw, name="p") == expected


@pytest.mark.parametrize(
    ("kind", "raw"),
    [("int", "1.5"), ("int", "x"), ("float", "abc"), ("bool", "maybe"), ("json", "{bad")],
)
def test_bad_values_name_the_parameter(kind: ParameterType, raw: str) -> None:
    with pytest.raises(UsageError, match=f"parameter 'p': '.*' is not a valid {kind}") as info:
        decode_value(kind, raw, name="p")
    assert info.value.exit_code == EXIT_USAGE
    assert "\n" not in str(info.value)


def test_defaults_given_values_and_separators() -> None:
    flow = _flow(
        _param("alpha", "float", 0.1),
        _param("count", "int", 3),
        _param("colors", "str", "red,green", separator=","),
        _param("sizes", "int", separator=";"),
        _param("config", "json", '{"k": 1}'),
        _param("plain", "str"),
    )
    assert resolve_parameters(flow, ()) == {
        "alpha": 0.1, "count": 3, "colors": ["red", "green"], "sizes": None,
        "config": {"k": 1}, "plain": None,
    }
    given = resolve_parameters(flow, ["count=5", "sizes=1;2;3", "colors=", "plain=a=b"])
    assert given["count"] == 5 and given["sizes"] == [1, 2, 3]
    assert given["colors"] == [] and given["plain"] == "a=b"


def test_required_unknown_and_repeated() -> None:
    flow = _flow(_param("who", required=True), _param("n", "int", 1))
    with pytest.raises(UsageError, match="missing required parameter 'who'"):
        resolve_parameters(flow, ["n=2"])
    assert resolve_parameters(flow, ["who=me"]) == {"who": "me", "n": 1}
    unknown = r"unknown parameter 'bogus' for flow ParamFlow \(known: who, n\)"
    with pytest.raises(UsageError, match=unknown):
        resolve_parameters(flow, ["who=me", "bogus=1"])
    with pytest.raises(UsageError, match="parameter 'n' is given twice"):
        resolve_parameters(flow, ["who=me", "n=1", "n=2"])
    with pytest.raises(UsageError, match="--param expects NAME=VALUE"):
        split_assignments(["who"])


def test_name_and_attribute_and_runtime_defaults() -> None:
    flow = _flow(
        _param("learning-rate", "float", 0.5, attribute="lr"),
        _param("seed", "int", 0, literal=False),
    )
    assert resolve_parameters(flow, ["learning-rate=0.75"], {"seed": 11}) == {
        "lr": 0.75, "seed": 11}
    assert resolve_parameters(flow, ["lr=1"], {"seed": 11})["lr"] == 1.0
    with pytest.raises(UsageError, match="given twice"):
        resolve_parameters(flow, ["lr=1", "learning-rate=2"])
    assert resolve_parameters(flow, [])["seed"] is None  # non-literal, no runtime value
