"""Step and flow decorators of the authoring API: each records its arguments and returns the
decorated function or class unchanged, so a flow's class body evaluates under plain Python.

The compiler reads decorators statically, and a task reads their typed settings from the IR
(`flowc.compiler.ir.decorators`), never from what is recorded here (`__flowc_decorators__`,
innermost decorator last, kept for introspection). The names below are those of the one table
(`flowc.compiler.ir.known_decorators.API_DECORATORS`), written out so that type checkers see
them; a test keeps them equal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

DECORATORS_ATTRIBUTE = "__flowc_decorators__"


@dataclass(frozen=True, slots=True)
class RecordedDecorator:
    """One decorator as applied: its name and the arguments it was called with."""

    name: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    def get(self, keyword: str, default: Any = None) -> Any:
        return self.kwargs.get(keyword, default)


def recorded(target: Any, name: str | None = None) -> tuple[RecordedDecorator, ...]:
    """The decorators recorded on a function or class (optionally only those named `name`)."""
    found = tuple(getattr(target, DECORATORS_ATTRIBUTE, ()))
    return found if name is None else tuple(d for d in found if d.name == name)


def _record(target: T, decorator: RecordedDecorator) -> T:
    existing = list(getattr(target, DECORATORS_ATTRIBUTE, ()))
    if isinstance(target, type):
        # A class attribute would be inherited by subclasses; keep each class's own list.
        existing = list(target.__dict__.get(DECORATORS_ATTRIBUTE, ()))
    existing.insert(0, decorator)  # decorators apply bottom-up; keep source order
    setattr(target, DECORATORS_ATTRIBUTE, existing)
    return target


def _is_bare_use(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    return len(args) == 1 and not kwargs and callable(args[0])


def recording_decorator(name: str) -> Callable[..., Any]:
    """A decorator usable bare (`@retry`) or called (`@retry(times=3)`) that records itself."""

    def decorator(*args: Any, **kwargs: Any) -> Any:
        if _is_bare_use(args, kwargs):
            return _record(args[0], RecordedDecorator(name))

        def apply(target: T) -> T:
            return _record(target, RecordedDecorator(name, tuple(args), dict(kwargs)))

        return apply

    decorator.__name__ = decorator.__qualname__ = name
    decorator.__doc__ = f"`@{name}`: recorded for the compiler and the runtime shim."
    return decorator


def step(*args: Any, start: bool = False, end: bool = False) -> Any:
    """Mark a method as a step: `@step`, `@step(start=True)` or `@step(end=True)`."""

    def mark(function: T) -> T:
        setattr(function, "is_step", True)  # noqa: B010  (Metaflow's marker name)
        setattr(function, "__flowc_step__", {"start": start, "end": end})  # noqa: B010
        if not hasattr(function, DECORATORS_ATTRIBUTE):
            setattr(function, DECORATORS_ATTRIBUTE, [])
        return function

    if args:
        if len(args) != 1 or not callable(args[0]):
            raise TypeError("@step takes no positional arguments (use @step or @step(start=True))")
        return mark(args[0])
    return mark


retry = recording_decorator("retry")
catch = recording_decorator("catch")
timeout = recording_decorator("timeout")
resources = recording_decorator("resources")
environment = recording_decorator("environment")
kubernetes = recording_decorator("kubernetes")
batch = recording_decorator("batch")
secrets = recording_decorator("secrets")
parallel = recording_decorator("parallel")
schedule = recording_decorator("schedule")
project = recording_decorator("project")
trigger = recording_decorator("trigger")
trigger_on_finish = recording_decorator("trigger_on_finish")
