"""Task-level planning for the local runner: which tasks become runnable when a task finishes,
and the events and result the runner reports about tasks (plain data; the CLI renders them).

The unit is a task `(step, index path, iteration)`, never a whole step: a foreach child's
successor starts as soon as that child finishes, and a join waits only for the tasks that
feed it (all children of *its* foreach task, or one arrival per branch of a static split).
How many children a foreach task has and which case a switch took come from the finished
task's outputs JSON (`flowc.runtime_shim.contracts.outputs`), exactly as an orchestrator
would read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, assert_never

from flowc.compiler.ir import Flow, Foreach, Linear, Parallel, Split, Switch
from flowc.compiler.ir.graph import FANOUT_KINDS, FlowGraph, NodeKind
from flowc.runtime_shim.contracts.outputs import OrchestratorOutputs, OutputsError
from flowc.runtime_shim.identity import task_id

# A task's outputs do not fit the flow (an unknown switch choice) or cannot be read.
PlanError = OutputsError
# The outputs JSON of a finished task, as every orchestrator reads it (one definition).
Outputs = OrchestratorOutputs


@dataclass(frozen=True, slots=True, order=True)
class TaskKey:
    """One task: its step, foreach index path (outermost first) and loop iteration."""

    step: str
    index_path: tuple[int, ...] = ()
    iteration: int = 0

    @property
    def task_id(self) -> str:
        return task_id(self.index_path, self.iteration)

    def __str__(self) -> str:
        text = self.step
        if self.index_path:
            text += "[" + ",".join(str(i) for i in self.index_path) + "]"
        if self.iteration:
            text += f"@{self.iteration}"
        return text


class Planner:
    """Walks the checked flow at task granularity; one instance per run (it counts arrivals)."""

    def __init__(self, flow: Flow, graph: FlowGraph) -> None:
        self.flow = flow
        self.graph = graph
        self._cardinality: dict[tuple[str, tuple[int, ...]], int] = {}
        self._arrivals: dict[TaskKey, int] = {}

    def first(self) -> TaskKey:
        assert self.graph.start is not None, "a checked flow has a start step"
        return TaskKey(self.graph.start)

    def after(self, key: TaskKey, outputs: Outputs) -> list[TaskKey]:
        """The tasks that become runnable now that `key` finished with `outputs`."""
        step = self.flow.step(key.step)
        transition = step.transition
        if self.graph[key.step].kind is NodeKind.END or transition is None:
            return []
        match transition:
            case Linear(target=target):
                return self._advance(key, target)
            case Split(branches=branches):
                return [task for branch in branches for task in self._advance(key, branch)]
            case Foreach(target=target) | Parallel(target=target):
                return self._fan_out(key, target, outputs)
            case Switch(cases=cases):
                return self._switch(key, cases, outputs)
            case _:
                assert_never(transition)

    def _fan_out(self, key: TaskKey, target: str, outputs: Outputs) -> list[TaskKey]:
        self._cardinality[(key.step, key.index_path)] = outputs.foreach_cardinality
        if outputs.foreach_cardinality == 0:
            join = self.graph[key.step].matching_join
            return [] if join is None else [TaskKey(join, key.index_path)]
        indices = outputs.foreach_indices or range(outputs.foreach_cardinality)
        return [TaskKey(target, (*key.index_path, index)) for index in indices]

    def _switch(self, key: TaskKey, cases: tuple, outputs: Outputs) -> list[TaskKey]:  # type: ignore[type-arg]
        for case in cases:
            if case.value == outputs.switch_choice:
                if case.target == key.step:
                    return [TaskKey(key.step, key.index_path, key.iteration + 1)]
                return self._advance(key, case.target)
        known = ", ".join(repr(case.value) for case in cases)
        raise PlanError(
            f"{key} chose switch case {outputs.switch_choice!r}, which is not one of {known}"
        )

    def _advance(self, key: TaskKey, target: str) -> list[TaskKey]:
        node = self.graph[target]
        if node.kind is not NodeKind.JOIN:
            return [TaskKey(target, key.index_path)]
        join = TaskKey(target, key.index_path[: node.foreach_depth])
        arrived = self._arrivals.get(join, 0) + 1
        if arrived < self._expected(join):
            self._arrivals[join] = arrived
            return []
        self._arrivals.pop(join, None)
        return [join]

    def _expected(self, join: TaskKey) -> int:
        split = self.graph[join.step].joined_split
        if split is None:
            return 1
        if self.graph[split].kind in FANOUT_KINDS:
            return self._cardinality.get((split, join.index_path), 0)
        transition = self.flow.step(split).transition
        return len(transition.targets) if transition is not None else 1


# --- what the runner reports --------------------------------------------------------------

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
    output: tuple[str, ...] = ()  # what the task printed (the runner echoes it)


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskFailure:
    """A task that failed for good: its last attempt, a one-line reason and its log."""

    key: TaskKey
    attempt: int
    message: str
    log: str
    infrastructure: bool = False  # the shim exited 3: the datastore, not the user's code


@dataclass(frozen=True, slots=True, kw_only=True)
class RunResult:
    run_id: str
    ok: bool
    tasks_done: int
    tasks_reused: int
    failures: tuple[TaskFailure, ...]
    seconds: float
