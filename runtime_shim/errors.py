"""The shim's failure classes, one per exit code of docs/task-contract.md.

Each carries the one-line message the shim prints last on stderr; `command.main` maps the
class to the exit code: 1 the user's code raised, 2 bad invocation, 3 infrastructure.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass

EXIT_OK = 0
EXIT_USER = 1
EXIT_USAGE = 2
EXIT_INFRA = 3


class ShimError(Exception):
    """A task that cannot complete; `str(error)` is the one-line reason."""

    exit_code = EXIT_INFRA
    kind = "error"

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))  # one line, always


class UserError(ShimError):
    """The user's code raised, or did something the compiled flow does not allow."""

    exit_code = EXIT_USER
    kind = "user error"


class UsageError(ShimError):
    """A bad invocation: unknown step, bad or missing parameter value, malformed arguments."""

    exit_code = EXIT_USAGE
    kind = "bad invocation"


class InfraError(ShimError):
    """The datastore, the code package or a parent task record is missing or broken."""

    exit_code = EXIT_INFRA
    kind = "infrastructure error"


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
        tb = exc.__traceback__.tb_next if exc.__traceback__ is not None else None  # the shim's
        text = "".join(traceback.format_exception(type(exc), exc, tb))
        return cls(type=name, message=str(exc), traceback=text, step=step)

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
