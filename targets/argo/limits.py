"""What a user writes that Argo must take as written, and cannot: a label key or value, or a
node selector, that breaks Kubernetes' rules is FLC301 at the decorator (flowc shortens the
names it makes itself; it never rewrites a label someone selects on); a `{{` in a
@kubernetes or @secrets value is FLC201 there (Argo would read it as an expression and has no
escape; @environment values are left to the shim instead)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import astuple

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.ir import Flow
from flowc.compiler.ir.decorators import step_settings

_NAME = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_PREFIX = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


def label_key_problem(key: str) -> str | None:
    prefix, _, name = key.rpartition("/")
    if prefix and (len(prefix) > 253 or not _PREFIX.fullmatch(prefix)):
        return f"the prefix {prefix!r} is not a DNS subdomain of at most 253 characters"
    if len(name) > 63 or not _NAME.fullmatch(name):
        return (f"{name!r} is not 1-63 letters, digits, '-', '_' or '.', starting and ending "
                "with a letter or digit")
    return None


def label_value_problem(value: str) -> str | None:
    if value and (len(value) > 63 or not _NAME.fullmatch(value)):
        return (f"the value {value!r} is not at most 63 letters, digits, '-', '_' or '.', "
                "starting and ending with a letter or digit")
    return None


def label_problems(flow: Flow) -> Iterator[Diagnostic]:
    """FLC301 for every @kubernetes label or node selector Kubernetes would refuse."""
    for step in flow.steps:
        kubernetes = step_settings(step).kubernetes
        decorator = step.decorator("kubernetes")
        if kubernetes is None or decorator is None:
            continue
        for field, pairs in (("labels", kubernetes.labels),
                             ("node_selector", kubernetes.node_selector)):
            for key, value in pairs:
                problem = label_key_problem(key) or label_value_problem(str(value))
                if problem:
                    yield rule("FLC301").at(
                        decorator.span,
                        f"@kubernetes({field}=...) on step '{step.name}': {problem}",
                        help="Kubernetes refuses it as written; use a name that fits")


def expression_problems(flow: Flow) -> Iterator[Diagnostic]:
    """FLC201 for a `{{` or `}}` in any value of @kubernetes or @secrets."""
    for step in flow.steps:
        settings = step_settings(step)
        for name, values in (("kubernetes", settings.kubernetes), ("secrets", settings.secrets)):
            decorator = step.decorator(name)
            if values is None or decorator is None:
                continue
            if any("{{" in text or "}}" in text for text in _strings(astuple(values))):
                yield rule("FLC201").at(
                    decorator.span,
                    f"@{name} on step '{step.name}' holds '{{{{' or '}}}}', which Argo reads "
                    "as an expression (there is no escape)",
                    help="remove the braces from the value")


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
