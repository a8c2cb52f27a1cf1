"""The running task behind a bound `FlowSpec`: artifact lookup, `self.next`, `self.input`.

`StepBinding` implements `runtime_shim.api.TaskBinding`. An artifact not set in this task is
looked up in the artifacts it inherits (a non-join step: its parent's whole map; a join:
only the parameters, plus what `merge_artifacts` adopts) and loaded on first read.

`self.input` and the items in `foreach_stack()` follow Metaflow: the foreach variable as
this task sees it at the first read (set here, inherited, or merged), indexed by the task's
index; None when the task has no such artifact (a join that has not merged it). Each level's
item is fixed at its first read. Metaflow's own runtime agrees (see
tests/test_metaflow_runtime_agreement.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flowc.runtime_shim.api import BINDING_ATTRIBUTE, FlowSpec
from flowc.runtime_shim.errors import UserError
from flowc.runtime_shim.inputs import Inputs, input_records, merged_refs
from flowc.runtime_shim.records import ArtifactRef, TaskStore


@dataclass(frozen=True, slots=True)
class NextCall:
    """What `self.next(...)` was called with: step names, or one dict for a switch."""

    targets: tuple[Any, ...]
    foreach: str | None = None
    condition: str | None = None
    num_parallel: int | None = None

    def describe(self) -> str:
        parts = [
            "{" + ", ".join(f"{k!r}: self.{v}" for k, v in t.items()) + "}"
            if isinstance(t, dict) else f"self.{t}"
            for t in self.targets
        ]
        for key in ("foreach", "condition", "num_parallel"):
            value = getattr(self, key)
            if value is not None:
                parts.append(f"{key}={value!r}")
        return f"self.next({', '.join(parts)})"


@dataclass(frozen=True, slots=True)
class ForeachLevel:
    """One enclosing foreach of a task: its step, this task's index in it, and (read lazily
    from the foreach task) its number of items and the items. `var` names the foreach
    variable (None for a `num_parallel` gang, whose items are its ranks)."""

    step: str
    index: int
    cardinality: Callable[[], int]
    items: Callable[[], Any]
    var: str | None = None


def item_at(items: Any, index: int) -> Any:
    """`items[index]` for a sequence, else the index-th item of the iteration."""
    if isinstance(items, Sequence):
        return items[index]
    try:
        return next(itertools.islice(iter(items), index, None))
    except StopIteration:
        raise IndexError(f"foreach item {index} is out of range") from None


_MISSING = object()


class StepBinding:
    """The task a `FlowSpec` instance runs in."""

    def __init__(
        self,
        *,
        step: str,
        store: TaskStore,
        inherited: Mapping[str, ArtifactRef],
        parameters: Mapping[str, Any] | None,
        index_path: tuple[int, ...],
        foreach_levels: Sequence[ForeachLevel],
        is_join: bool,
    ) -> None:
        self.step = step
        self.store = store
        self.inherited: dict[str, ArtifactRef] = dict(inherited)
        self.parameters = dict(parameters) if parameters is not None else None
        self.index_path = index_path
        self.foreach_levels = tuple(foreach_levels)
        self.is_join = is_join
        self.next_call: NextCall | None = None
        # Artifacts read from the parent: name -> (the object handed out, its reference).
        self.loaded: dict[str, tuple[Any, ArtifactRef]] = {}
        self._flow: FlowSpec | None = None
        self._items_seen: dict[int, Any] = {}  # foreach depth -> item, fixed at first read

    def bind(self, flow: FlowSpec) -> FlowSpec:
        flow.__dict__[BINDING_ATTRIBUTE] = self
        self._flow = flow
        return flow

    def _item(self, depth: int) -> Any:
        """The item of foreach level `depth` (Metaflow's rule, see the module docstring)."""
        if depth not in self._items_seen:
            level = self.foreach_levels[depth]
            if level.var is None or self._flow is None:
                item = item_at(level.items(), level.index)
            else:
                try:
                    items = getattr(self._flow, level.var)
                except AttributeError:
                    items = _MISSING
                item = None if items is _MISSING else item_at(items, level.index)
            self._items_seen[depth] = item
        return self._items_seen[depth]

    # -- TaskBinding ------------------------------------------------------------------------

    def artifact(self, name: str) -> Any:
        ref = self.inherited.get(name)
        if ref is None:
            hint = (f" (a join inherits nothing: read inputs[i].{name} or call "
                    "self.merge_artifacts(inputs))" if self.is_join else "")
            raise AttributeError(f"step '{self.step}' has no artifact '{name}'{hint}")
        value = self.store.load_artifact(ref)
        self.loaded[name] = (value, ref)
        return value

    def parameter(self, attribute: str) -> Any:
        if self.parameters is not None and attribute in self.parameters:
            return self.parameters[attribute]
        return self.artifact(attribute)

    def next(self, targets: tuple[Any, ...], foreach: str | None, condition: str | None,
             num_parallel: int | None) -> None:
        call = NextCall(targets, foreach, condition, num_parallel)
        if self.next_call is not None:
            raise UserError(
                f"step '{self.step}' called self.next() twice ({self.next_call.describe()}, "
                f"then {call.describe()})"
            )
        self.next_call = call

    def input(self) -> Any:
        if not self.foreach_levels:
            raise AttributeError(f"self.input is only set inside a foreach (step '{self.step}')")
        return self._item(len(self.foreach_levels) - 1)

    def index(self) -> int | None:
        return self.foreach_levels[-1].index if self.foreach_levels else None

    def foreach_stack(self) -> list[tuple[int, int, Any]]:
        return [(lv.index, lv.cardinality(), self._item(depth))
                for depth, lv in enumerate(self.foreach_levels)]

    def merge_artifacts(self, flow: FlowSpec, inputs: Any, include: Sequence[str],
                        exclude: Sequence[str]) -> None:
        if not self.is_join or not isinstance(inputs, Inputs):
            raise UserError(
                f"merge_artifacts is only for a join step's inputs (step '{self.step}')"
            )
        set_here = {k: v for k, v in flow.__dict__.items() if not k.startswith("_flowc")}
        skip = frozenset(self.parameters or ()) | frozenset(self._parameter_names(flow))
        adopted = merged_refs(self.step, input_records(inputs), set_here=set_here, include=include,
                              exclude=exclude, skip=skip)
        self.inherited.update(adopted)

    @staticmethod
    def _parameter_names(flow: FlowSpec) -> list[str]:
        from flowc.runtime_shim.api import Parameter

        return [name for cls in type(flow).__mro__ for name, value in vars(cls).items()
                if isinstance(value, Parameter)]

    # -- after the step ---------------------------------------------------------------------

    def lookup(self, flow: FlowSpec, name: str) -> tuple[bool, Any]:
        """(found, value) of artifact `name` as the step left it (set here, else inherited)."""
        if name in flow.__dict__:
            return True, flow.__dict__[name]
        if self.parameters is not None and name in self.parameters:
            return True, self.parameters[name]
        if name in self.inherited:
            return True, self.store.load_artifact(self.inherited[name])
        return False, None
