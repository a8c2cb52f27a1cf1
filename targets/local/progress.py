"""Turning runner events into what the user sees: a live status line on a terminal, plain
lines otherwise, and the end-of-run summary. It writes through a sink the CLI provides.

Plain mode prints what each task printed (`  train[3] | ...`), then one line per finished
task (`train[3] ok (0.4s)`), per retry and per failure. Terminal mode keeps permanent lines
for output, retries and failures, and redraws one status line
(`start ✓ · train 57/200 (2 running) · join · end`) at most ten times a second.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from flowc.targets.local.plan import Event, RunResult

Sink = Callable[[str, bool], None]  # (text, newline)
REDRAW_EVERY = 0.1


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`1 task`, `0 tasks`, `2 tasks`; `plural` for a noun that does not just take an s."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


@dataclass(slots=True)
class _StepCount:
    done: int = 0
    running: int = 0
    failed: int = 0
    reused: int = 0
    queued: int = 0


class Progress:
    """Call with each Event; `summary(result)` at the end."""

    def __init__(self, sink: Sink, steps: tuple[str, ...], *, tty: bool,
                 width: int = 100) -> None:
        self.sink = sink
        self.tty = tty
        self.width = max(width, 20)
        self.counts = {step: _StepCount() for step in steps}
        self._last_draw = 0.0
        self._status_shown = False

    def __call__(self, event: Event) -> None:
        count = self.counts.setdefault(event.key.step, _StepCount())
        label = str(event.key)
        for line in event.output:  # what the task printed comes before its outcome
            self._line(f"  {label} | {line}")
        match event.kind:
            case "queued":
                count.queued += 1
            case "started":
                count.running += 1
            case "ok":
                count.running -= 1
                count.done += 1
                if not self.tty:
                    self._line(f"{label} ok ({event.seconds:.1f}s)")
            case "reused":
                count.reused += 1
                count.done += 1
                if not self.tty:
                    self._line(f"{label} reused")
            case "retrying":
                count.running -= 1
                self._line(f"{label} attempt {event.attempt + 1} failed: {event.message}; "
                           f"retrying in {event.delay:g}s")
            case "failed":
                count.running = max(count.running - 1, 0)
                count.failed += 1
                self._line(f"{label} failed (attempt {event.attempt + 1}, "
                           f"{event.seconds:.1f}s): {event.message}")
        if self.tty:
            self._draw()

    def status_line(self) -> str:
        """`start ✓ · body 57/200 (2 running) · join · end`."""
        parts = []
        for step, count in self.counts.items():
            text = step
            if count.queued > 1:
                text += f" {count.done}/{count.queued}"
            if count.running:
                text += f" ({count.running} running)"
            if count.failed:
                text += f" ({count.failed} failed)"
            elif count.queued and count.done == count.queued:
                text += " ✓"
            parts.append(text)
        return " · ".join(parts)

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_draw < REDRAW_EVERY:
            return
        self._last_draw = now
        line = self.status_line()
        if len(line) >= self.width:  # a wrapped line could not be redrawn in place
            line = line[: self.width - 2] + "…"
        self.sink("\r\x1b[K" + line, False)
        self._status_shown = True

    def _clear(self) -> None:
        if self._status_shown:
            self.sink("\r\x1b[K", False)
            self._status_shown = False

    def _line(self, text: str) -> None:
        if self.tty:
            self._clear()
        self.sink(text, True)

    def summary(self, flow: str, result: RunResult) -> None:
        """The closing lines: outcome, counts per step, and each failure with its log."""
        if self.tty:
            self._clear()
        tasks = result.tasks_done
        reused = f", {result.tasks_reused} reused" if result.tasks_reused else ""
        outcome = "succeeded" if result.ok else "FAILED"
        self.sink(f"run {flow}/{result.run_id} {outcome}: {counted(tasks, 'task')}{reused} "
                  f"in {result.seconds:.1f}s", True)
        per_step = ", ".join(f"{step} {count.done}" for step, count in self.counts.items()
                             if count.done or count.failed)
        if per_step:
            self.sink(f"  tasks per step: {per_step}", True)
        for failure in result.failures:
            self.sink(f"  failed: {failure.key}: {failure.message}", True)
            if failure.log:
                self.sink(f"    log: {failure.log}", True)
