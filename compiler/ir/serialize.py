"""`ir.json`: the IR's versioned, byte-stable JSON form, and reading it back exactly.

Keys in dataclass field order, tuples as lists, two-space indent, a trailing newline,
`ir_version` first; `loads(dumps(flow)) == flow`. Standard library only: every task reads
`ir.json` with it.
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any, assert_never

from flowc.compiler.ir.nodes import (
    IR_VERSION,
    Argument,
    Decorator,
    Flow,
    Foreach,
    JsonValue,
    Linear,
    Parallel,
    Parameter,
    Span,
    Split,
    Step,
    Switch,
    SwitchCase,
    Transition,
    Value,
)

_TRANSITIONS: dict[str, type[Any]] = {
    "linear": Linear,
    "split": Split,
    "foreach": Foreach,
    "switch": Switch,
    "parallel": Parallel,
}
_KIND_OF: dict[type[Any], str] = {cls: kind for kind, cls in _TRANSITIONS.items()}
# (owner class, field) -> the node class stored there (alone, or in a tuple).
_NODE_FIELDS: dict[tuple[type[Any], str], type[Any]] = {
    **{
        (cls, "span"): Span
        for cls in (
            Value,
            Decorator,
            Linear,
            Split,
            Foreach,
            SwitchCase,
            Switch,
            Parallel,
            Parameter,
            Step,
            Flow,
        )
    },
    **{(cls, "target_span"): Span for cls in (Linear, Foreach, SwitchCase, Parallel)},
    (Split, "branch_spans"): Span,
    (Argument, "value"): Value,
    (Decorator, "arguments"): Argument,
    (Switch, "cases"): SwitchCase,
    (Parallel, "num_parallel"): Value,
    (Parameter, "default"): Value,
    (Step, "decorators"): Decorator,
    (Flow, "parameters"): Parameter,
    (Flow, "steps"): Step,
    (Flow, "decorators"): Decorator,
}


class IRFormatError(ValueError):
    """`ir.json` is not valid IR of this version."""


def to_json_data(node: Any) -> Any:
    """The JSON-ready form of a node: dicts in field order, tuples as lists."""
    if isinstance(node, Linear | Split | Foreach | Switch | Parallel):
        data = {"kind": _KIND_OF[type(node)]}
        data.update(_fields_data(node))
        return data
    if hasattr(node, "__dataclass_fields__"):
        return _fields_data(node)
    if isinstance(node, tuple):
        return [to_json_data(item) for item in node]
    if isinstance(node, dict):
        return {key: to_json_data(item) for key, item in node.items()}
    return node


def _fields_data(node: Any) -> dict[str, Any]:
    return {f.name: to_json_data(getattr(node, f.name)) for f in fields(node)}


def dumps(flow: Flow) -> str:
    """`ir.json` text: versioned, keys in field order, two-space indent, trailing newline."""
    document = {"ir_version": IR_VERSION, "flow": to_json_data(flow)}
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def loads(text: str) -> Flow:
    """Parse `ir.json` text back into the exact `Flow` that `dumps` was given."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IRFormatError(f"ir.json is not JSON: {exc}") from exc
    version = document.get("ir_version") if isinstance(document, dict) else None
    if version != IR_VERSION:
        raise IRFormatError(f"ir.json has ir_version {version!r}; this flowc reads {IR_VERSION}")
    try:
        flow = _node_from(Flow, document["flow"])
    except (KeyError, TypeError, ValueError) as exc:
        raise IRFormatError(f"ir.json does not match IR version {IR_VERSION}: {exc}") from exc
    assert isinstance(flow, Flow)
    return flow


def _node_from(cls: type[Any], data: dict[str, Any]) -> Any:
    kwargs = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        kwargs[f.name] = _field_from(cls, f.name, data[f.name])
    return cls(**kwargs)


def _field_from(owner: type[Any], name: str, raw: Any) -> Any:
    if owner is Step and name == "transition":
        return None if raw is None else _transition_from(raw)
    if owner is Value and name == "value":
        return _literal_from(raw)
    node_cls = _NODE_FIELDS.get((owner, name))
    if node_cls is None:
        return tuple(raw) if isinstance(raw, list) else raw
    if raw is None:
        return None
    if isinstance(raw, list):
        return tuple(_node_from(node_cls, item) for item in raw)
    return _node_from(node_cls, raw)


def _transition_from(raw: dict[str, Any]) -> Transition:
    data = dict(raw)
    cls = _TRANSITIONS[data.pop("kind")]
    node = _node_from(cls, data)
    match node:
        case Linear() | Split() | Foreach() | Switch() | Parallel():
            return node
        case _:
            assert_never(node)


def _literal_from(raw: Any) -> JsonValue:
    if isinstance(raw, list):
        return tuple(_literal_from(item) for item in raw)
    if isinstance(raw, dict):
        return {key: _literal_from(item) for key, item in raw.items()}
    return raw  # type: ignore[no-any-return]
