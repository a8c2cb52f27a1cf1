"""Names a user gives that Argo (Kubernetes) must take as written, and cannot: a label key or
value, or a node selector, that breaks Kubernetes' rules is FLC301 at the decorator (flowc
shortens the names it makes itself; it never rewrites a label someone selects on)."""

from __future__ import annotations

import re
from collections.abc import Iterator

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
