"""What the local runner reports: one event per task state change, and the run's result.

Plain data, so the CLI (or a test) decides how to render it; see `targets.local.progress`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from targets.local.plan import TaskKey

EventKind = Literal["queued", "started", "ok", "failed", "retrying", "reused"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Task `key` (attempt `attempt`) changed state; `queued` means it became runnable.
    `delay` is set for a retry."""

    kind: EventKind
    key: TaskKey
    attempt: int = 0
    seconds: float = 0.0
    message: str = ""
    log: str = ""
    delay: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskFailure:
    """A task that failed for good: its last attempt, a one-line reason and its log."""

    key: TaskKey
    attempt: int
    message: str
    log: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RunResult:
    run_id: str
    ok: bool
    tasks_done: int
    tasks_reused: int
    failures: tuple[TaskFailure, ...]
    seconds: float
