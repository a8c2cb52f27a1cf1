"""Per-step execution policy from the typed settings (@retry, @timeout) and failure messages.

@catch needs nothing here: the shim handles it and exits 0. Defaults (a bare `@retry` means
3 retries, 2 minutes apart) are the settings' own, Metaflow's (flowc.compiler.ir.decorators).
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from pathlib import Path

from flowc.compiler.ir import Flow
from flowc.compiler.ir.decorators import step_settings

TAIL_BYTES = 8192
OUTPUT_BYTES = 64 << 10  # at most this much of a task's output is echoed by the runner
OUTPUT_LINES = 100
SHIM_PREFIX = "flowc: "  # the shim's own last stderr line (docs/task-contract.md)


@dataclass(frozen=True, slots=True, kw_only=True)
class StepPolicy:
    retries: int = 0
    retry_delay: float = 0.0  # seconds
    timeout: float | None = None  # seconds


def policies(flow: Flow) -> dict[str, StepPolicy]:
    """Each step's policy from its typed settings (the flow is checked: every value is known)."""
    result: dict[str, StepPolicy] = {}
    for step in flow.steps:
        settings = step_settings(step)
        retry, timeout = settings.retry, settings.timeout
        result[step.name] = StepPolicy(
            retries=retry.times if retry is not None else 0,
            retry_delay=float(retry.delay_s) if retry is not None else 0.0,
            timeout=float(timeout.seconds) if timeout is not None else None)
    return result


def last_line(path: Path) -> str:
    """The last non-empty line of a (possibly large) log file, or ''."""
    try:
        with open(path, "rb") as stream:
            stream.seek(0, 2)
            size = stream.tell()
            stream.seek(max(size - TAIL_BYTES, 0))
            tail = stream.read().decode(errors="replace")
    except OSError:
        return ""
    lines = [line.strip() for line in tail.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def failure_message(stderr: Path, returncode: int, timed_out: bool, timeout: float | None,
                    *, lost: bool = False) -> str:
    """One line saying why an attempt failed."""
    if timed_out:
        return f"timed out after {timeout:g}s (@timeout); its process group was killed"
    if lost:
        return "the local runner's fork server died; the task's outcome is unknown"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"killed by {name}"
    line = last_line(stderr)
    return line or f"exited with code {returncode}"


def task_output(path: Path) -> tuple[str, ...]:
    """What the user's code printed (the shim echoes it on stderr), without the shim's own
    closing line; the last OUTPUT_LINES lines of at most OUTPUT_BYTES."""
    try:
        with open(path, "rb") as stream:
            stream.seek(0, 2)
            size = stream.tell()
            if size == 0:
                return ()
            stream.seek(max(size - OUTPUT_BYTES, 0))
            text = stream.read().decode(errors="replace")
    except OSError:
        return ()
    lines = text.rstrip("\n").split("\n")
    if size > OUTPUT_BYTES:
        lines = lines[1:]  # the first one is cut
    if lines and lines[-1].startswith(SHIM_PREFIX):
        lines.pop()
    if len(lines) > OUTPUT_LINES:
        skipped = len(lines) - OUTPUT_LINES
        more = f"{skipped} more line{'s' if skipped != 1 else ''}"
        lines = [f"... ({more} in the task's log)", *lines[-OUTPUT_LINES:]]
    return tuple(line.rstrip("\r") for line in lines)
