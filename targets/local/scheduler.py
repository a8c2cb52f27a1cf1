"""The local runner's event loop: run every task of a checked flow as its own shim process.

Up to `max_workers` tasks run at once. The loop blocks on the launcher's exit queue with a
timeout equal to the next deadline (a retry becoming due, a @timeout expiring), so it never
polls and never blocks a worker while a retry waits. A failed task (after its retries) stops
new launches; running tasks finish so that `flowc resume` can reuse them.
"""

from __future__ import annotations

import heapq
import queue
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flowc.compiler.pipeline import CheckedFlow
from flowc.runtime_shim.errors import EXIT_INFRA, EXIT_INTERRUPTED, EXIT_USAGE
from flowc.targets.base import shim_command
from flowc.targets.local.launch import LOST, Launcher, make_launcher
from flowc.targets.local.plan import (
    Event,
    Outputs,
    PlanError,
    Planner,
    RunResult,
    TaskFailure,
    TaskKey,
)
from flowc.targets.local.policy import StepPolicy, failure_message, policies, task_output

# A bad invocation fails the same way every time; an interrupted task was stopped on purpose.
NOT_RETRIED = frozenset({EXIT_USAGE, EXIT_INTERRUPTED})

Reporter = Callable[[Event], None]
Reuse = Callable[[TaskKey], Outputs | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class RunOptions:
    run_id: str
    datastore: str
    code_package: str | None = None
    code_dir: str | None = None
    params: tuple[tuple[str, str], ...] = ()
    max_workers: int = 1
    python: str = "python"
    launcher: str | None = None  # "fork" | "subprocess" | None (default)


@dataclass(slots=True)
class _Running:
    key: TaskKey
    attempt: int
    started: float
    workdir: Path
    deadline: float | None
    timed_out: bool = False


@dataclass(slots=True)
class _State:
    ready: deque[tuple[TaskKey, int]] = field(default_factory=deque)
    delayed: list[tuple[float, int, TaskKey, int]] = field(default_factory=list)
    running: dict[int, _Running] = field(default_factory=dict)
    failures: list[TaskFailure] = field(default_factory=list)
    counter: int = 0
    done: int = 0
    reused: int = 0


class Scheduler:
    """One run. `run()` returns a RunResult; events go to `report` as they happen."""

    def __init__(self, checked: CheckedFlow, options: RunOptions, report: Reporter,
                 reuse: Reuse | None = None, launcher: Launcher | None = None) -> None:
        self.flow = checked.flow
        self.options = options
        self.report = report
        self.reuse = reuse
        self.planner = Planner(checked.flow, checked.graph)
        self.policies: dict[str, StepPolicy] = policies(checked.flow)
        self._launcher = launcher
        self._state = _State()
        self._scratch = Path(tempfile.mkdtemp(prefix=f"flowc-{options.run_id}-"))

    def run(self) -> RunResult:
        began = time.monotonic()
        s3 = self.options.datastore.startswith("s3://")
        preload = ("flowc.runtime_shim.datastore.s3",) if s3 else ()
        launcher = self._launcher or make_launcher(self.options.launcher, self.options.python,
                                                   preload)
        state = self._state
        state.ready.append((self.planner.first(), 0))
        self.report(Event(kind="queued", key=self.planner.first()))
        try:
            self._loop(launcher)
        except BaseException:
            launcher.close()
            raise
        launcher.close()
        if not state.failures:
            shutil.rmtree(self._scratch, ignore_errors=True)
        return RunResult(run_id=self.options.run_id, ok=not state.failures,
                         tasks_done=state.done, tasks_reused=state.reused,
                         failures=tuple(state.failures), seconds=time.monotonic() - began)

    def _loop(self, launcher: Launcher) -> None:
        state = self._state
        while state.ready or state.delayed or state.running:
            now = time.monotonic()
            while state.delayed and state.delayed[0][0] <= now:
                _, _, key, attempt = heapq.heappop(state.delayed)
                state.ready.append((key, attempt))
            while state.ready and len(state.running) < self.options.max_workers:
                key, attempt = state.ready.popleft()
                self._start(launcher, key, attempt)
            if not state.running and not state.ready and not state.delayed:
                break
            deadline = self._next_deadline()
            wait = None if deadline == float("inf") else max(deadline - time.monotonic(), 0.0)
            try:
                exited = launcher.events.get(timeout=wait)
            except queue.Empty:
                exited = None
            if deadline <= time.monotonic():  # checked even while other tasks keep exiting
                self._expire(launcher)
            if exited is not None:
                self._finish(exited.token, exited.returncode)

    def _next_deadline(self) -> float:
        candidates = [run.deadline for run in self._state.running.values()
                      if run.deadline is not None and not run.timed_out]
        if self._state.delayed:
            candidates.append(self._state.delayed[0][0])
        return min(candidates, default=float("inf"))

    def _expire(self, launcher: Launcher) -> None:
        now = time.monotonic()
        for token, run in self._state.running.items():
            if run.deadline is not None and not run.timed_out and run.deadline <= now:
                run.timed_out = True
                launcher.kill(token)

    def _start(self, launcher: Launcher, key: TaskKey, attempt: int) -> None:
        if self.reuse is not None and attempt == 0:
            outputs = self.reuse(key)
            if outputs is not None:
                self._state.reused += 1
                self.report(Event(kind="reused", key=key, attempt=0))
                self._advance(key, outputs)
                return
        state = self._state
        state.counter += 1
        token = state.counter
        workdir = self._scratch / str(token)
        workdir.mkdir()
        argv = shim_command(
            run_id=self.options.run_id, step=key.step, datastore=self.options.datastore,
            code_package=self.options.code_package, code_dir=self.options.code_dir,
            index_path=key.index_path, iteration=key.iteration, retry_count=attempt,
            params=self.options.params if key.step == self.planner.first().step else (),
            python=self.options.python,
        )
        timeout = self.policies[key.step].timeout
        started = time.monotonic()
        state.running[token] = _Running(key=key, attempt=attempt, started=started,
                                        workdir=workdir,
                                        deadline=started + timeout if timeout else None)
        launcher.launch(token, argv, workdir / "stdout", workdir / "stderr")
        self.report(Event(kind="started", key=key, attempt=attempt))

    def _finish(self, token: int, returncode: int) -> None:
        state = self._state
        run = state.running.pop(token)
        seconds = time.monotonic() - run.started
        policy = self.policies[run.key.step]
        if returncode == 0 and not run.timed_out:
            try:
                outputs = Outputs.parse((run.workdir / "stdout").read_text(errors="replace"))
                output = task_output(run.workdir / "stderr")
                shutil.rmtree(run.workdir, ignore_errors=True)
                state.done += 1
                self.report(Event(kind="ok", key=run.key, attempt=run.attempt, seconds=seconds,
                                  output=output))
                self._advance(run.key, outputs)
                return
            except PlanError as exc:
                message = str(exc)
        else:
            message = failure_message(run.workdir / "stderr", returncode, run.timed_out,
                                      policy.timeout, lost=returncode == LOST)
        output = task_output(run.workdir / "stderr")
        retryable = returncode not in NOT_RETRIED and run.attempt < policy.retries
        if retryable and not state.failures:
            due = time.monotonic() + policy.retry_delay
            heapq.heappush(state.delayed, (due, token, run.key, run.attempt + 1))
            self.report(Event(kind="retrying", key=run.key, attempt=run.attempt,
                              seconds=seconds, message=message, delay=policy.retry_delay,
                              output=output))
            return
        log = self._log_location(run)
        state.failures.append(TaskFailure(key=run.key, attempt=run.attempt, message=message,
                                          log=log, infrastructure=returncode == EXIT_INFRA))
        self.report(Event(kind="failed", key=run.key, attempt=run.attempt, seconds=seconds,
                          message=message, log=log, output=output))
        state.ready.clear()
        state.delayed.clear()

    def _advance(self, key: TaskKey, outputs: Outputs) -> None:
        try:
            following = self.planner.after(key, outputs)
        except PlanError as exc:
            self._state.failures.append(TaskFailure(key=key, attempt=0, message=str(exc), log=""))
            self.report(Event(kind="failed", key=key, attempt=0, message=str(exc)))
            self._state.ready.clear()
            self._state.delayed.clear()
            return
        if not self._state.failures:
            for task in following:
                self._state.ready.append((task, 0))
                self.report(Event(kind="queued", key=task))

    def _log_location(self, run: _Running) -> str:
        base = self.options.datastore.rstrip("/")
        log = (f"{base}/{self.flow.name}/runs/{self.options.run_id}/{run.key.step}/"
               f"{run.key.task_id}/attempt-{run.attempt}/stderr.log")
        if "://" in base or Path(log).exists():
            return log
        return str(run.workdir / "stderr")
