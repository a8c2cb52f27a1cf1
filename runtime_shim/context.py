"""What a task derives before its step runs: parameter values, class-level constants, the
enclosing foreach levels (for `self.input`, `self.index`, `foreach_stack()`).
"""

from __future__ import annotations

from collections.abc import Iterable
from types import FunctionType, MethodType
from typing import Any

from flowc.compiler.ir import Flow, Foreach
from flowc.compiler.ir.graph import FANOUT_KINDS, FlowGraph, NodeKind
from flowc.runtime_shim.api import FlowSpec, Parameter
from flowc.runtime_shim.errors import InfraError
from flowc.runtime_shim.lineage import RecordReader
from flowc.runtime_shim.loader import LoadedCode
from flowc.runtime_shim.params import resolve_parameters
from flowc.runtime_shim.records import TaskRecord
from flowc.runtime_shim.spec import ForeachLevel


def runtime_defaults(flow_class: type[Any]) -> dict[str, Any]:
    """attribute -> default of every `Parameter` on the class that has one."""
    defaults: dict[str, Any] = {}
    for cls in reversed(flow_class.__mro__):
        for attribute, value in vars(cls).items():
            if isinstance(value, Parameter) and value.has_default:
                defaults[attribute] = value.default
    return defaults


def class_constants(flow_class: type[Any]) -> dict[str, Any]:
    """The flow's class-level values (`threshold = 0.5` in the class body), which Metaflow
    stores as artifacts of every task: public names in `dir()` order that are not parameters,
    methods, properties, classes or `FlowSpec`'s own names."""
    own = set(dir(FlowSpec)) | {"name"}
    found: dict[str, Any] = {}
    for name in dir(flow_class):
        if name.startswith("_") or name in own:
            continue
        value = getattr(flow_class, name, None)
        if not isinstance(value, FunctionType | MethodType | property | type | Parameter):
            found[name] = value
    return found


def task_parameters(raw: Iterable[str], code: LoadedCode) -> dict[str, Any]:
    """The start step's parameter values (attribute -> value); UsageError when invalid."""
    return resolve_parameters(code.flow, raw, runtime_defaults(code.flow_class))


def enclosing_fanouts(graph: FlowGraph, step: str) -> list[str]:
    """The foreach/parallel steps around `step`'s tasks, outermost first."""
    node = graph[step]
    open_splits = node.split_parents[:-1] if node.kind is NodeKind.JOIN else node.split_parents
    return [name for name in open_splits if graph[name].kind in FANOUT_KINDS]


class _LazyItems:
    """Loads a foreach step's items artifact on first use."""

    def __init__(self, reader: RecordReader, flow: Flow, step: str, path: tuple[int, ...]):
        self.reader, self.flow, self.step, self.path = reader, flow, step, path
        self._loaded = False
        self._items: Any = None

    def record(self) -> TaskRecord:
        return self.reader.require(self.step, self.path)

    def cardinality(self) -> int:
        return self.record().foreach_cardinality or 0

    def __call__(self) -> Any:
        if not self._loaded:
            transition = self.flow.step(self.step).transition
            record = self.record()
            if isinstance(transition, Foreach):
                ref = record.artifacts.get(transition.items)
                if ref is None:
                    raise InfraError(f"foreach task {record.pathspec} has no artifact "
                                     f"'{transition.items}'")
                self._items = self.reader.store.load_artifact(ref)
            else:  # a parallel step: the items are the gang's ranks
                self._items = list(range(record.foreach_cardinality or 0))
            self._loaded = True
        return self._items


def foreach_levels(graph: FlowGraph, reader: RecordReader, flow: Flow, step: str,
                   index_path: tuple[int, ...]) -> list[ForeachLevel]:
    """One level per enclosing foreach: its step, this task's index in it, lazy items."""
    levels = []
    for depth, fanout in enumerate(enclosing_fanouts(graph, step)):
        if depth >= len(index_path):
            break
        items = _LazyItems(reader, flow, fanout, index_path[:depth])
        transition = flow.step(fanout).transition
        levels.append(ForeachLevel(step=fanout, index=index_path[depth],
                                   cardinality=items.cardinality, items=items,
                                   var=transition.items if isinstance(transition, Foreach)
                                   else None))
    return levels
