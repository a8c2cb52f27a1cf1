"""Argo's template tags: simple ones (`{{inputs.parameters.x}}`, `{{ tasks.a.outputs.result }}`)
and expression tags (`{{=asInt(inputs.parameters.i) + 1}}`, evaluated by `argo.exprlang` over
the same variables), substituted over whole template documents, strict about anything left
unresolved.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from argo.exprlang import evaluate_expr

TAG = re.compile(r"{{\s*(=?)\s*([^{}]*?)\s*}}")


class UnsupportedFeature(ValueError):
    """An Argo feature this executor does not implement; the message names it."""


class UnresolvedVariable(ValueError):
    """A `{{...}}` tag that names no variable in scope."""


class _Deferred(Exception):
    """An expression tag reads a variable that a later pass provides."""


def tags_in(text: str) -> list[str]:
    """The variable names of every simple tag in `text`."""
    return [match.group(2) for match in TAG.finditer(text) if not match.group(1)]


def substitute(
    text: str, scope: Mapping[str, str], *, defer: Iterable[str] = (), where: str = ""
) -> str:
    """Replace each tag by its value in `scope`; a tag whose name starts with a prefix in
    `defer` is left for a later pass; any other unknown tag raises UnresolvedVariable."""
    deferred = tuple(defer)

    def later(name: str) -> bool:
        return any(name == p or name.startswith(p + ".") for p in deferred)

    def lookup(name: str) -> str:
        if name in scope:
            return scope[name]
        if later(name):
            raise _Deferred(name)
        raise UnresolvedVariable(f"unresolved variable {name!r} in {text!r}{where}")

    def replace(match: re.Match[str]) -> str:
        name = match.group(2)
        if match.group(1):
            try:
                return format_value(evaluate_expr(name, lookup))
            except _Deferred:
                return match.group(0)
        if name in scope:
            return scope[name]
        if later(name):
            return match.group(0)
        raise UnresolvedVariable(f"unresolved variable {{{{{name}}}}}{where}")

    return TAG.sub(replace, text)


def substitute_all(
    node: Any, scope: Mapping[str, str], *, defer: Iterable[str] = (), where: str = ""
) -> Any:
    """`substitute` applied to every string (not the keys) of a JSON-like document."""
    deferred = tuple(defer)
    if isinstance(node, str):
        return substitute(node, scope, defer=deferred, where=where)
    if isinstance(node, list):
        return [substitute_all(item, scope, defer=deferred, where=where) for item in node]
    if isinstance(node, dict):
        return {k: substitute_all(v, scope, defer=deferred, where=where) for k, v in node.items()}
    return node


def item_scope(item: Any) -> dict[str, str]:
    """`{{item}}` and `{{item.key}}` for one loop item, formatted the way Argo prints items."""
    scope = {"item": format_value(item)}
    if isinstance(item, dict):
        for key, value in item.items():
            scope[f"item.{key}"] = format_value(value)
    return scope


def format_value(value: Any) -> str:
    """A JSON value as Argo substitutes it: strings bare, numbers without '.0', others as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"), sort_keys=True)  # Go sorts map keys
