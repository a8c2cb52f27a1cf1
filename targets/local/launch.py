"""Starting task processes and learning when they exit, without polling.

Two launchers with one interface. `ForkServerLauncher` (the default on POSIX) keeps one
warm process that has imported the shim and forks a fresh child per task, which then runs
`python -m flowc.runtime_shim ...` exactly as the command line says (via runpy): a task still is
its own process, in its own process group, with its own exit code, but does not pay the
interpreter's start-up. `SubprocessLauncher` execs the command line as is. Both report
exits on a queue, so the scheduler blocks on `queue.get(timeout=next deadline)`.

The runner's scratch folder (`$TMPDIR/flowc-<run id>-*`, one folder per task) is claimed by
the first launch (an owner file naming the runner process); `make_launcher`, called at the
start of every run, removes the scratch folders whose runner is gone (killed, or ended
leaving a failed run's folder: the task logs are in the datastore).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from flowc.runtime_shim.owner import current_owner, owner_gone

SHIM_PREFIX_LEN = 4  # argv starts with (python, "-P", "-m", "flowc.runtime_shim")
LOST = -1000  # exit code reported when the fork server itself died


@dataclass(frozen=True, slots=True)
class Exited:
    """Task `token` exited with `returncode` (negative: killed by that signal)."""

    token: int
    returncode: int


class Launcher(Protocol):
    events: queue.Queue[Exited]

    def launch(self, token: int, argv: Sequence[str], stdout: Path, stderr: Path) -> None: ...

    def kill(self, token: int) -> None: ...

    def close(self) -> None: ...


SCRATCH_PREFIX = "flowc-"
SCRATCH_OWNER = ".flowc-runner"  # in a scratch folder: `<pid>@<host>` of its runner


def claim_scratch(task_stdout: Path) -> None:
    """Mark the scratch folder holding this task's folder as this runner's (once)."""
    scratch = task_stdout.parent.parent
    marker = scratch / SCRATCH_OWNER
    if scratch.name.startswith(SCRATCH_PREFIX) and not marker.exists():
        with contextlib.suppress(OSError):
            marker.write_text(current_owner())


def reap_scratch(tmp: Path | None = None) -> list[Path]:
    """Remove the scratch folders in `tmp` whose runner process has exited; return them.
    A folder without an owner file (or another host's) is left alone."""
    import shutil
    import tempfile

    removed = []
    for folder in Path(tmp or tempfile.gettempdir()).glob(SCRATCH_PREFIX + "*"):
        try:
            owner = (folder / SCRATCH_OWNER).read_text()
        except OSError:
            continue
        if owner_gone(owner):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


class SubprocessLauncher:
    """One `subprocess.Popen` per task and one thread blocked in `wait()` for it."""

    def __init__(self) -> None:
        self.events: queue.Queue[Exited] = queue.Queue()
        self._pids: dict[int, int] = {}

    def launch(self, token: int, argv: Sequence[str], stdout: Path, stderr: Path) -> None:
        claim_scratch(stdout)
        with open(stdout, "wb") as out, open(stderr, "wb") as err:
            process = subprocess.Popen(
                list(argv), stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                start_new_session=True,
            )
        self._pids[token] = process.pid

        def wait() -> None:
            code = process.wait()
            self._pids.pop(token, None)
            self.events.put(Exited(token, code))

        threading.Thread(target=wait, name=f"flowc-task-{token}", daemon=True).start()

    def kill(self, token: int) -> None:
        pid = self._pids.get(token)
        if pid is not None:
            _kill_group(pid)

    def close(self) -> None:
        for pid in list(self._pids.values()):
            _kill_group(pid)


class ForkServerLauncher:
    """Talks to `flowc.targets.local.forkserver` over stdin/stdout (a JSON or text line each)."""

    def __init__(self, python: str = sys.executable, preload: Sequence[str] = ()) -> None:
        self.events: queue.Queue[Exited] = queue.Queue()
        self._lock = threading.Lock()
        self._pids: dict[int, int] = {}
        self._pending: set[int] = set()
        self._doomed: set[int] = set()
        self._server = subprocess.Popen(
            [python, "-P", "-m", "flowc.targets.local.forkserver", *preload],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0,
        )
        assert self._server.stdin is not None and self._server.stdout is not None
        self._requests: IO[bytes] = self._server.stdin
        threading.Thread(target=self._read, args=(self._server.stdout,),
                         name="flowc-forkserver", daemon=True).start()

    def launch(self, token: int, argv: Sequence[str], stdout: Path, stderr: Path) -> None:
        claim_scratch(stdout)
        request = {"token": token, "argv": list(argv[SHIM_PREFIX_LEN:]),
                   "stdout": str(stdout), "stderr": str(stderr)}
        with self._lock:
            self._pending.add(token)
        try:
            self._requests.write(json.dumps(request).encode() + b"\n")
        except (BrokenPipeError, OSError):
            self._lost()

    def kill(self, token: int) -> None:
        with self._lock:
            pid = self._pids.get(token)
            if pid is None and token in self._pending:
                self._doomed.add(token)  # killed as soon as its pid is known
        if pid is not None:
            _kill_group(pid)

    def close(self) -> None:
        with self._lock:
            pids = list(self._pids.values())
        for pid in pids:
            _kill_group(pid)
        with contextlib.suppress(OSError):
            self._requests.close()
        self._server.wait()

    def _read(self, stream: IO[bytes]) -> None:
        for raw in stream:
            kind, token_text, number_text = raw.decode().split()
            token, number = int(token_text), int(number_text)
            if kind == "started":
                with self._lock:
                    self._pids[token] = number
                    doomed = token in self._doomed
                if doomed:
                    _kill_group(number)
            else:
                with self._lock:
                    self._pids.pop(token, None)
                    self._pending.discard(token)
                    self._doomed.discard(token)
                self.events.put(Exited(token, number))
        self._lost()

    def _lost(self) -> None:
        with self._lock:
            tokens = list(self._pending)
            self._pending.clear()
        for token in tokens:
            self.events.put(Exited(token, LOST))


def make_launcher(kind: str | None = None, python: str = sys.executable,
                  preload: Sequence[str] = ()) -> Launcher:
    """`fork` (default where os.fork exists) or `subprocess`; env FLOWC_LOCAL_LAUNCHER too.
    `preload`: extra modules the fork server imports once (the S3 backend for s3:// runs).
    Called at the start of every run: first reaps the scratch folders of runners gone."""
    reap_scratch()
    kind = kind or os.environ.get("FLOWC_LOCAL_LAUNCHER") or (
        "fork" if hasattr(os, "fork") else "subprocess")
    if kind == "fork":
        return ForkServerLauncher(python, preload)
    if kind == "subprocess":
        return SubprocessLauncher()
    raise ValueError(f"unknown launcher {kind!r}; expected 'fork' or 'subprocess'")
