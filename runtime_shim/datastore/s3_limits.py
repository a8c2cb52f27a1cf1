"""How long an S3 datastore may wait: timeouts, the retry budget and a deadline per request.

Every S3 request gets botocore's connect and read timeouts and a bounded number of attempts
(standard retry mode: exponential backoff with jitter), and, on top, an overall deadline: the
request runs in a daemon thread and the caller waits at most that long, so an endpoint that
accepts connections and never answers cannot hold a task or the runner, and a signal
(Ctrl-C, SIGTERM) still reaches the waiting thread. The values come from the environment
(the shim cannot import the settings layer):

    FLOWC_S3_CONNECT_TIMEOUT  seconds to open a connection        (default 5)
    FLOWC_S3_READ_TIMEOUT     seconds without a byte from S3       (default 20)
    FLOWC_S3_MAX_ATTEMPTS     attempts per request, first included (default 4)
    FLOWC_S3_DEADLINE         seconds for a whole request, retries included (default 60)
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flowc.runtime_shim.datastore.base import DatastoreError

T = TypeVar("T")

CONNECT_TIMEOUT_ENV = "FLOWC_S3_CONNECT_TIMEOUT"
READ_TIMEOUT_ENV = "FLOWC_S3_READ_TIMEOUT"
MAX_ATTEMPTS_ENV = "FLOWC_S3_MAX_ATTEMPTS"
DEADLINE_ENV = "FLOWC_S3_DEADLINE"


@dataclass(frozen=True, slots=True, kw_only=True)
class S3Limits:
    """The time budget of every S3 request."""

    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    max_attempts: int = 4
    deadline: float = 60.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> S3Limits:
        """The limits set in the environment, defaults for the others; DatastoreError (one
        line) for a value that is not a positive number."""
        env = os.environ if environ is None else environ
        default = cls()
        return cls(
            connect_timeout=_positive(env, CONNECT_TIMEOUT_ENV, default.connect_timeout, float),
            read_timeout=_positive(env, READ_TIMEOUT_ENV, default.read_timeout, float),
            max_attempts=int(_positive(env, MAX_ATTEMPTS_ENV, default.max_attempts, int)),
            deadline=_positive(env, DEADLINE_ENV, default.deadline, float),
        )

    def botocore_config(self, max_pool_connections: int) -> Any:
        """A botocore Config with these timeouts and this retry budget."""
        from botocore.config import Config  # type: ignore[import-untyped]

        return Config(
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            retries={"total_max_attempts": self.max_attempts, "mode": "standard"},
            max_pool_connections=max_pool_connections,
        )


def _positive(env: Mapping[str, str], name: str, default: float, kind: type) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = 0
    if not value > 0:
        what = "a positive whole number" if kind is int else "a positive number of seconds"
        raise DatastoreError(f"{name}={raw!r} is not {what}")
    return float(value)


def within_deadline(work: Callable[[], T], seconds: float,
                    late: Callable[[], DatastoreError]) -> T:
    """`work()`'s result (or exception), or `late()` raised when it takes over `seconds`.

    The work runs in a daemon thread, so a request stuck in a socket never keeps the process
    alive, and the caller's wait can be interrupted by a signal handler that raises."""
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the waiting thread
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="flowc-s3-request", daemon=True).start()
    if not done.wait(seconds):
        raise late()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]
