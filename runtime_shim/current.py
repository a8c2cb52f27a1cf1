"""`current`: what a step can ask about the task it runs in (flow, run, step, task, retry).

One module-level object; the shim binds it when a task starts. Outside a task
`current.is_running_flow` is False and the other fields are None.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskContext:
    """The facts `current` exposes during one task."""

    flow_name: str
    run_id: str
    step_name: str
    task_id: str
    retry_count: int
    parameter_names: tuple[str, ...]
    tempdir: str
    origin_run_id: str | None = None

    @property
    def pathspec(self) -> str:
        return f"{self.flow_name}/{self.run_id}/{self.step_name}/{self.task_id}"


class Current:
    """Read-only view of the running task (Metaflow's `current`)."""

    __slots__ = ("_context",)

    def __init__(self) -> None:
        self._context: TaskContext | None = None

    def _bind(self, context: TaskContext | None) -> None:
        self._context = context

    @property
    def is_running_flow(self) -> bool:
        return self._context is not None

    def _field(self, name: str) -> object:
        return None if self._context is None else getattr(self._context, name)

    @property
    def flow_name(self) -> str | None:
        return self._field("flow_name")  # type: ignore[return-value]

    @property
    def run_id(self) -> str | None:
        return self._field("run_id")  # type: ignore[return-value]

    @property
    def step_name(self) -> str | None:
        return self._field("step_name")  # type: ignore[return-value]

    @property
    def task_id(self) -> str | None:
        return self._field("task_id")  # type: ignore[return-value]

    @property
    def retry_count(self) -> int:
        return 0 if self._context is None else self._context.retry_count

    @property
    def pathspec(self) -> str | None:
        return self._field("pathspec")  # type: ignore[return-value]

    @property
    def parameter_names(self) -> list[str]:
        """The parameters' attribute names, sorted (as Metaflow's `current.parameter_names`)."""
        return [] if self._context is None else list(self._context.parameter_names)

    @property
    def tempdir(self) -> str | None:
        return self._field("tempdir")  # type: ignore[return-value]

    @property
    def origin_run_id(self) -> str | None:
        return self._field("origin_run_id")  # type: ignore[return-value]

    def __repr__(self) -> str:
        if self._context is None:
            return "current(is_running_flow=False)"
        return f"current({self._context.pathspec}, retry_count={self._context.retry_count})"


current = Current()
