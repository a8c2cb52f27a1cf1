"""The authoring API users import (`from flowc import FlowSpec, step, Parameter, ...`).

Standard library only and light to import. `FlowSpec` holds no execution logic: inside a task
the shim binds each instance to a `TaskBinding` (see `flowc.runtime_shim.spec`), to which reading
inherited artifacts, `self.next`, `self.input` and `merge_artifacts` are delegated.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NoReturn, Protocol

from flowc.runtime_shim.current import current
from flowc.runtime_shim.decorators import (
    batch,
    catch,
    environment,
    kubernetes,
    parallel,
    project,
    resources,
    retry,
    schedule,
    secrets,
    step,
    timeout,
    trigger,
    trigger_on_finish,
)

__all__ = [
    "FlowSpec", "JSONType", "Parameter", "batch", "catch", "current", "environment",
    "kubernetes", "parallel", "project", "resources", "retry", "schedule", "secrets", "step",
    "timeout", "trigger", "trigger_on_finish",
]

BINDING_ATTRIBUTE = "_flowc_task"


class TaskBinding(Protocol):
    """What a bound `FlowSpec` asks the running task (implemented by `flowc.runtime_shim.spec`)."""

    def artifact(self, name: str) -> Any: ...
    def parameter(self, attribute: str) -> Any: ...
    def next(self, targets: tuple[Any, ...], foreach: str | None, condition: str | None,
             num_parallel: int | None) -> None: ...
    def input(self) -> Any: ...
    def index(self) -> int | None: ...
    def foreach_stack(self) -> list[tuple[int, int, Any]]: ...
    def merge_artifacts(self, flow: FlowSpec, inputs: Any, include: Sequence[str],
                        exclude: Sequence[str]) -> None: ...


class _JSONType:
    """Marks a parameter whose value is JSON (`Parameter("cfg", type=JSONType)`)."""

    name = "JSON"

    def convert(self, value: str) -> Any:
        return json.loads(value)

    def __repr__(self) -> str:
        return "JSONType"


JSONType = _JSONType()

_NO_DEFAULT: Any = object()
_loading_for_task = False  # set by the shim while it imports a flow file


def loading_for_task(active: bool) -> None:
    """Tell `FlowSpec()` that the shim is importing the flow file (so it must not exit)."""
    global _loading_for_task
    _loading_for_task = active


class Parameter:
    """A flow parameter, readable as `self.<attribute>` in every step; set only by the run."""

    def __init__(self, name: str, default: Any = _NO_DEFAULT, type: Any = None,
                 help: str | None = None, required: bool = False,
                 separator: str | None = None, show_default: bool = True, **kwargs: Any) -> None:
        self.name = name
        self.default = None if default is _NO_DEFAULT else default
        self.has_default = default is not _NO_DEFAULT
        self.type = type
        self.help = help
        self.required = required
        self.separator = separator
        self.show_default = show_default
        self.kwargs = kwargs
        self.attribute = name

    def __set_name__(self, owner: type, attribute: str) -> None:
        self.attribute = attribute

    def __get__(self, instance: FlowSpec | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        binding = instance.__dict__.get(BINDING_ATTRIBUTE)
        if binding is None:
            default = self.default
            return default() if callable(default) and default is not JSONType else default
        return binding.parameter(self.attribute)

    def __set__(self, instance: FlowSpec, value: Any) -> NoReturn:
        raise AttributeError(f"parameter '{self.name}' is read-only: it is set when the run starts")

    def __repr__(self) -> str:
        return f"Parameter({self.name!r})"


def _step_name(target: Any) -> str:
    name = getattr(target, "__name__", None)
    if not isinstance(name, str):
        raise TypeError(f"self.next() expects steps such as self.a, got {target!r}")
    return name


class FlowSpec:
    """Base class of every flow. Instances exist only inside a task, bound by the shim."""

    def __init__(self, use_cli: bool = True) -> None:
        # Inside a task (the shim imports the flow file) a module-level `MyFlow()` does nothing.
        if use_cli and not current.is_running_flow and not _loading_for_task:
            script = sys.argv[0] if sys.argv and sys.argv[0] else "flow.py"
            print(f"{type(self).__name__} is a flowc flow: run it with "
                  f"`flowc run {os.path.relpath(script)}` (see `flowc --help`)")
            raise SystemExit(0)

    def _binding(self) -> TaskBinding:
        binding = self.__dict__.get(BINDING_ATTRIBUTE)
        if binding is None:
            raise RuntimeError(f"{type(self).__name__} is not running a task: use `flowc run`")
        return binding  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        # Called only when normal lookup fails: an artifact inherited from the parent task(s).
        if name.startswith("__") or BINDING_ATTRIBUTE not in self.__dict__:
            raise AttributeError(name)
        value = self.__dict__[BINDING_ATTRIBUTE].artifact(name)
        self.__dict__[name] = value  # cached; saved again only if it is still there at the end
        return value

    def next(self, *targets: Callable[..., Any] | dict[Any, Callable[..., Any]],
             foreach: str | None = None, condition: str | None = None,
             num_parallel: int | None = None) -> None:
        """Say which step(s) run after this one; checked against the compiled flow."""
        names: list[Any] = []
        for target in targets:
            if isinstance(target, dict):
                names.append({str(key): _step_name(value) for key, value in target.items()})
            else:
                names.append(_step_name(target))
        self._binding().next(tuple(names), foreach, condition, num_parallel)

    @property
    def input(self) -> Any:
        """The item of the enclosing foreach's list that this task handles."""
        return self._binding().input()

    @property
    def index(self) -> int | None:
        """This task's index in the innermost enclosing foreach (None outside a foreach)."""
        return self._binding().index()

    def foreach_stack(self) -> list[tuple[int, int, Any]]:
        """(index, number of items, item) for each enclosing foreach, outermost first."""
        return self._binding().foreach_stack()

    def merge_artifacts(self, inputs: Any, exclude: Iterable[str] | None = None,
                        include: Iterable[str] | None = None) -> None:
        """In a join, copy the artifacts the inputs agree on (or that only some set)."""
        self._binding().merge_artifacts(self, inputs, tuple(include or ()), tuple(exclude or ()))
