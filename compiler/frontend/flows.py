"""Finding the flows of a file and assembling each one's `ir.Flow`.

Rule for which classes are flows: a module-level class is a *flow candidate* when one of its
bases is FlowSpec (any import spelling) or a candidate defined earlier in the same file. Every
candidate that no other candidate in the file uses as a base is a flow, in source order; so
a shared base class (with or without steps) never makes a file "ambiguous".

A flow's steps and parameters are its own plus those of its same-file bases (candidates or
plain mixins). Bases are merged like Python's attribute lookup for the simple cases: the
class's own definitions win, then its bases left to right; a step keeps the position where
its name first appeared (base steps first). Bases imported from other files are not read.
Decorators on the class apply to that class only. Two `@step`s of the same name (or two
parameters on the same attribute) in one class body are both kept, in source order, for the
validator to report (FLC040, FLC021); a subclass's definition replaces every base one. Any
other binding of the name (a plain `def`, `name = ...`), when it is the last in its class
body, hides the step or parameter as Python's attribute lookup does: Metaflow then no
longer sees it either.
"""

from __future__ import annotations

import ast
from typing import NamedTuple

from flowc.compiler.diagnostics import Diagnostic
from flowc.compiler.frontend.constants import bindings, scope_constants
from flowc.compiler.frontend.decorators import class_decorators
from flowc.compiler.frontend.imports import ImportTable
from flowc.compiler.frontend.literals import Evaluator
from flowc.compiler.frontend.parameters import parameter_call, read_parameter, unsupported_input
from flowc.compiler.frontend.steps import (
    StepResult,
    conditional_steps,
    docstring,
    read_step,
    rebound_steps,
)
from flowc.compiler.ir import Flow, Parameter


class FlowResult(NamedTuple):
    flow: Flow
    diagnostics: tuple[Diagnostic, ...]
    rejected_transitions: frozenset[str]
    unseen_steps: frozenset[str]


class _Members(NamedTuple):
    """What one class body defines (not counting its bases); `hidden` are the names whose
    last binding in the body is neither a step nor a parameter, `unseen` the steps defined
    inside a block (reported as FLC042)."""

    steps: dict[str, list[StepResult]]
    parameters: dict[str, list[Parameter]]
    diagnostics: list[Diagnostic]
    hidden: set[str]
    unseen: set[str]


class _ClassInfo:
    """A module-level class: what it derives from, and its members once read."""

    __slots__ = ("is_candidate", "local_bases", "members", "node", "table")

    def __init__(self, node: ast.ClassDef, table: ImportTable, local_bases: list[_ClassInfo],
                 is_candidate: bool) -> None:
        self.node = node
        self.table = table
        self.local_bases = local_bases
        self.is_candidate = is_candidate
        self.members: _Members | None = None


def read_flows(tree: ast.Module, evaluator: Evaluator) -> list[FlowResult]:
    """Every flow of the module, in source order."""
    module_evaluator = evaluator.with_constants(
        scope_constants(tree.body, evaluator, nested=True))
    table = ImportTable()
    classes: dict[str, _ClassInfo] = {}
    order: list[_ClassInfo] = []
    for statement in tree.body:
        if isinstance(statement, ast.ClassDef):
            info = _class_info(statement, table, classes)
            classes[statement.name] = info
            order.append(info)
        table = table.after(statement)
    used_as_base = {id(base) for info in order if info.is_candidate for base in info.local_bases}
    return [
        _build_flow(info, module_evaluator)
        for info in order
        if info.is_candidate and id(info) not in used_as_base
    ]


def _class_info(node: ast.ClassDef, table: ImportTable,
                classes: dict[str, _ClassInfo]) -> _ClassInfo:
    direct = False
    local_bases: list[_ClassInfo] = []
    for base in node.bases:
        if table.resolve(base) == "FlowSpec":
            direct = True
        elif isinstance(base, ast.Name) and base.id in classes:
            local_bases.append(classes[base.id])
    inherited = any(base.is_candidate for base in local_bases)
    return _ClassInfo(node=node, table=table, local_bases=local_bases,
                      is_candidate=direct or inherited)


def _members(info: _ClassInfo, evaluator: Evaluator) -> _Members:
    if info.members is not None:
        return info.members
    members = _Members(steps={}, parameters={}, diagnostics=[], hidden=set(), unseen=set())
    body = info.node.body
    scoped = evaluator.with_constants(scope_constants(body, evaluator, nested=False))
    for statement in body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            result = read_step(statement, info.table, scoped)
            if result is not None:
                members.steps.setdefault(statement.name, []).append(result)
                members.hidden.discard(statement.name)
                continue
        found = parameter_call(statement, info.table)
        if found is None:
            refused = unsupported_input(statement, info.table, scoped)
            if refused is not None:
                members.diagnostics.append(refused)
            for name, problem in conditional_steps(statement, info.table, scoped):
                members.unseen.add(name)
                members.diagnostics.append(problem)
            rebound = rebound_steps(statement, members.steps, scoped)
            members.diagnostics.extend(rebound.values())
            members.hidden.update(set(bindings(statement, nested=True)) - set(rebound))
            continue
        attribute, target, call = found
        members.hidden.discard(attribute)
        parameter = read_parameter(attribute, target, call, info.table, scoped)
        members.diagnostics.extend(parameter.diagnostics)
        if parameter.parameter is not None:
            members.parameters.setdefault(attribute, []).append(parameter.parameter)
    for name in members.hidden:
        members.steps.pop(name, None)
        members.parameters.pop(name, None)
    info.members = members
    return members


def _build_flow(info: _ClassInfo, evaluator: Evaluator) -> FlowResult:
    steps: dict[str, list[StepResult]] = {}
    parameters: dict[str, list[Parameter]] = {}
    diagnostics: list[Diagnostic] = []
    unseen: set[str] = set()
    for cls in _lineage(info):
        members = _members(cls, evaluator)
        for name in members.hidden:
            steps.pop(name, None)
            parameters.pop(name, None)
        steps.update(members.steps)
        parameters.update(members.parameters)
        diagnostics.extend(members.diagnostics)
        unseen |= members.unseen
    results = [result for group in steps.values() for result in group]
    for result in results:
        diagnostics.extend(result.diagnostics)
    node = info.node
    source_map = evaluator.source_map
    flow = Flow(
        name=node.name,
        path=source_map.path,
        doc=docstring(node),
        parameters=tuple(p for group in parameters.values() for p in group),
        steps=tuple(result.step for result in results),
        decorators=class_decorators(node.decorator_list, info.table, evaluator),
        span=source_map.name_span(node),
    )
    rejected = frozenset(result.step.name for result in results if result.rejected)
    return FlowResult(flow=flow, diagnostics=tuple(diagnostics), rejected_transitions=rejected,
                      unseen_steps=frozenset(unseen - set(steps)))


def _lineage(info: _ClassInfo) -> list[_ClassInfo]:
    """The class and its same-file bases, least specific first (each class once)."""
    ordered: list[_ClassInfo] = []
    seen: set[int] = set()

    def visit(cls: _ClassInfo) -> None:
        if id(cls) in seen:
            return
        seen.add(id(cls))
        for base in reversed(cls.local_bases):
            visit(base)
        ordered.append(cls)

    visit(info)
    return ordered
