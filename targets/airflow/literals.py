"""Python source for values in the generated DAG file: every user string is written as a Python
literal (never pasted into code or a docstring), and a string that reaches a field Airflow
renders with Jinja is wrapped in `literal(...)` when Jinja would read it (a `{{`, `{%` or `{#`,
or a name ending in a template file extension), so it arrives exactly as written."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Airflow reads a templated string ending with one of these as a template file's name
# (KubernetesPodOperator's template_ext; the local operator has none, but one rule is simpler).
TEMPLATE_EXTENSIONS = (".yaml", ".yml", ".json", ".sh", ".bash", ".sql")
JINJA_OPENERS = ("{{", "{%", "{#")


@dataclass(frozen=True, slots=True)
class Code:
    """Python source written as is: a name (`index_path`, `DATASTORE`) or an expression."""

    source: str


def string(text: str) -> str:
    """`text` as a Python string literal, in double quotes when that needs no escape."""
    written = repr(text)
    if written.startswith("'") and '"' not in text and "'" not in text:
        return f'"{written[1:-1]}"'
    return written


def is_jinja(text: str) -> bool:
    """Whether Airflow's templating would change `text` (read it as Jinja or as a file name)."""
    return any(opener in text for opener in JINJA_OPENERS) or text.endswith(TEMPLATE_EXTENSIONS)


def templated(text: str) -> str:
    """`text` for a templated field: a plain literal, or `literal("...")` when Jinja would
    otherwise read it."""
    return f"literal({string(text)})" if is_jinja(text) else string(text)


def py(value: Any, *, template: bool = False) -> str:
    """Any JSON-like value (and `Code`) as Python source on one line; with `template`, strings
    go through `templated`."""
    match value:
        case Code():
            return value.source
        case None | bool():
            return repr(value)
        case float() if not math.isfinite(value):
            return f'float("{value!r}")'  # inf, -inf and nan have no literal
        case int() | float():
            return repr(value)
        case str():
            return templated(value) if template else string(value)
        case Mapping():
            items = ", ".join(f"{py(key)}: {py(item, template=template)}"
                              for key, item in value.items())
            return "{" + items + "}"
        case tuple() | list():
            return "[" + ", ".join(py(item, template=template) for item in value) + "]"
        case Sequence():
            return "[" + ", ".join(py(item, template=template) for item in value) + "]"
    raise TypeError(f"no Python literal for {value!r:.80}")

