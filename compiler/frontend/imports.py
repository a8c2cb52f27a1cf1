"""Which names in a file mean flowc's (or Metaflow's) authoring API.

`FlowSpec`, `step`, `Parameter`, `retry`, ... are recognised however they were imported:
`from metaflow import step`, `from flowc import step as s`, `import metaflow` + `metaflow.step`,
`import flowc as fc` + `fc.step`, submodules (`from metaflow.parameters import JSONType`) and
`from flowc import *`. The table is built from module-level statements in source order (a
later `def step(...)` or `step = ...` shadows an import), and each class sees the table as it
stood when the class was defined.
"""

from __future__ import annotations

import ast
from types import MappingProxyType
from typing import Final, NamedTuple

from flowc.compiler.ir.known_decorators import KNOWN_DECORATORS

API_MODULES: Final = frozenset({"flowc", "metaflow"})

# Names a star import of an API module brings in (the ones flowc's frontend cares about).
STAR_NAMES: Final = frozenset({
    "FlowSpec", "Parameter", "JSONType", "IncludeFile", "Config", "step",
}) | KNOWN_DECORATORS


def is_api_module(dotted: str) -> bool:
    """True for `flowc`, `metaflow` and their submodules."""
    return dotted.split(".", 1)[0] in API_MODULES


class ImportTable(NamedTuple):
    """Local names bound to API objects (`names`: local -> API name) or API modules."""

    names: MappingProxyType[str, str] = MappingProxyType({})
    modules: frozenset[str] = frozenset()
    star: bool = False

    def resolve(self, expr: ast.expr) -> str | None:
        """The API name `expr` refers to (`"step"` for `mf.step`), or None."""
        if isinstance(expr, ast.Name):
            if expr.id in self.names:
                return self.names[expr.id] or None
            return expr.id if self.star and expr.id in STAR_NAMES else None
        if isinstance(expr, ast.Attribute):
            root: ast.expr = expr.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in self.modules:
                return expr.attr
        return None

    def after(self, statement: ast.stmt) -> ImportTable:
        """The table after one module-level statement (imports bind, definitions shadow)."""
        match statement:
            case ast.Import(names=aliases):
                return self._with_imports(aliases)
            case ast.ImportFrom(module=module, names=aliases, level=0) if module:
                return self._with_from_import(module, aliases)
            case ast.ImportFrom(names=aliases):  # relative: never the API, may shadow it
                return self._without({a.asname or a.name for a in aliases if a.name != "*"})
            case ast.FunctionDef(name=name) | ast.AsyncFunctionDef(name=name) | ast.ClassDef(
                name=name
            ):
                return self._without({name})
            case ast.Assign() | ast.AnnAssign() | ast.AugAssign():
                return self._without(assigned_names(statement))
            case ast.If() | ast.Try() | ast.TryStar() | ast.With() | ast.For() | ast.While():
                table = self
                for child in _nested_statements(statement):
                    table = table.after(child)
                return table
        return self

    def _with_imports(self, aliases: list[ast.alias]) -> ImportTable:
        names, modules = dict(self.names), set(self.modules)
        for alias in aliases:
            local = alias.asname or alias.name.split(".", 1)[0]
            names.pop(local, None)
            if is_api_module(alias.name):
                modules.add(local)
            else:
                modules.discard(local)
        return self._replace(names=MappingProxyType(names), modules=frozenset(modules))

    def _with_from_import(self, module: str, aliases: list[ast.alias]) -> ImportTable:
        api = is_api_module(module)
        names, modules, star = dict(self.names), set(self.modules), self.star
        for alias in aliases:
            if alias.name == "*":
                star = api
                continue
            local = alias.asname or alias.name
            modules.discard(local)
            if api:
                names[local] = alias.name
            else:
                names.pop(local, None)
        return ImportTable(names=MappingProxyType(names), modules=frozenset(modules), star=star)

    def _without(self, locals_: set[str]) -> ImportTable:
        if not locals_ & (set(self.names) | self.modules | (STAR_NAMES if self.star else set())):
            return self
        names = {k: v for k, v in self.names.items() if k not in locals_}
        # A star import stays, but a shadowed star name must no longer resolve: record the
        # shadowing as a mapping to a name that is never an API name.
        if self.star:
            names.update({local: "" for local in locals_ & STAR_NAMES})
        return self._replace(names=MappingProxyType(names),
                       modules=self.modules - frozenset(locals_))


def assigned_names(statement: ast.Assign | ast.AnnAssign | ast.AugAssign) -> set[str]:
    """The plain names an assignment binds (tuple targets unpacked)."""
    targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
    found: set[str] = set()
    for target in targets:
        for node in ast.walk(target):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                found.add(node.id)
    return found


def _nested_statements(statement: ast.stmt) -> list[ast.stmt]:
    children: list[ast.stmt] = []
    for name in ("body", "orelse", "finalbody"):
        children.extend(getattr(statement, name, []))
    for handler in getattr(statement, "handlers", []):
        children.extend(handler.body)
    return children
