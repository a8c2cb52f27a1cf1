"""What `@catch(var=...)` stores when a step raises: a small, picklable exception record.

It holds text only (type name, message, traceback), so reading it never needs the user's
exception class; `exception` and `stacktrace` are Metaflow's names for the same fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from flowc.runtime_shim.tracebacks import format_user_exception


@dataclass(frozen=True, slots=True)
class CaughtException:
    """What `@catch(var=...)` stores: the exception's type, message and traceback as text
    (picklable and readable without the user's exception class)."""

    type: str
    message: str
    traceback: str
    step: str

    @classmethod
    def from_exception(cls, exc: BaseException, step: str) -> CaughtException:
        kind = type(exc)
        name = kind.__qualname__ if kind.__module__ == "builtins" else (
            f"{kind.__module__}.{kind.__qualname__}")
        return cls(type=name, message=str(exc), traceback=format_user_exception(exc), step=step)

    @property
    def exception(self) -> str:
        """The message (Metaflow's MetaflowExceptionWrapper name)."""
        return self.message

    @property
    def stacktrace(self) -> str:
        """The traceback (Metaflow's MetaflowExceptionWrapper name)."""
        return self.traceback

    def __str__(self) -> str:
        return f"{self.type}: {self.message}" if self.message else self.type
