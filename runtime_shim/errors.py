"""The shim's failure classes, one per exit code of docs/task-contract.md.

Each carries the one-line message the shim prints last on stderr; `command.main` maps the
class to the exit code: 1 the user's code raised, 2 bad invocation, 3 infrastructure.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_USER = 1
EXIT_USAGE = 2
EXIT_INFRA = 3
EXIT_INTERRUPTED = 130  # KeyboardInterrupt (SIGINT), as a shell reports it


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
