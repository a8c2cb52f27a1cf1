"""Capture a task's stdout and stderr at the file-descriptor level into log files.

While a `TaskLogs` is active, file descriptors 1 and 2 are pipes: whatever writes to them
(Python, C extensions, subprocesses that inherit them) lands in `stdout.log`/`stderr.log`
and is echoed to the shim's original stderr. The shim's own stdout (for the outputs JSON
line) is kept aside (`original_stdout`): when capturing stops, fd 1 is pointed at the
original stderr, not back at stdout, so that nothing the user's code leaves behind (a
thread still printing, an atexit handler) can reach stdout either.
"""

from __future__ import annotations

import os
import select
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

_CHUNK = 64 << 10
# After the task, what is already in a pipe is read out; a background process the step
# started may still hold the pipe open, so the pump waits for more only while data keeps
# coming (at most _QUIET seconds apart, _DRAIN_TIMEOUT in all) instead of until end of file.
_QUIET = 0.05
_DRAIN_TIMEOUT = 2.0


class _Pump(threading.Thread):
    """Copies one pipe into a log file and onto the echo descriptor until end of file.

    `finish()` makes it read out what is buffered and return even when a process that
    outlives the task still holds the pipe's write end.
    """

    def __init__(self, read_fd: int, log: BinaryIO, echo_fd: int | None) -> None:
        super().__init__(daemon=True)
        self.read_fd = read_fd
        self.log = log
        self.echo_fd = echo_fd
        self._wake_r, self._wake_w = os.pipe()

    def wake(self) -> None:
        """Ask the pump to drain what is buffered and stop."""
        os.write(self._wake_w, b"x")

    def finish(self, timeout: float) -> None:
        """Wait for a woken pump (at most `timeout` seconds)."""
        self.join(timeout)
        if not self.is_alive():  # else it still polls them: leave them open
            os.close(self._wake_r)
            os.close(self._wake_w)

    def run(self) -> None:
        poller = select.poll()
        poller.register(self.read_fd, select.POLLIN)
        poller.register(self._wake_r, select.POLLIN)
        try:
            while True:
                ready = {fd for fd, _ in poller.poll()}
                if self.read_fd in ready:
                    if not self._copy():
                        return
                elif self._wake_r in ready:
                    self._drain()
                    return
        finally:
            os.close(self.read_fd)

    def _drain(self) -> None:
        deadline = time.monotonic() + _DRAIN_TIMEOUT
        quiet = select.poll()
        quiet.register(self.read_fd, select.POLLIN)
        while time.monotonic() < deadline and quiet.poll(_QUIET * 1000):
            if not self._copy():
                return

    def _copy(self) -> bool:
        """Copy one chunk; False at end of file or when the log is gone."""
        try:
            data = os.read(self.read_fd, _CHUNK)
        except OSError:
            return False
        if not data:
            return False
        try:
            self.log.write(data)
            self.log.flush()
        except (OSError, ValueError):  # closed after a drain timeout
            return False
        if self.echo_fd is not None:
            try:
                os.write(self.echo_fd, data)
            except OSError:
                self.echo_fd = None
        return True


class TaskLogs:
    """Context manager: redirect fds 1 and 2 into `directory/{stdout,stderr}.log`."""

    def __init__(self, directory: Path, *, echo: bool = True) -> None:
        self.directory = directory
        self.echo = echo
        self.stdout_path = directory / "stdout.log"
        self.stderr_path = directory / "stderr.log"
        self._saved: tuple[int, int] | None = None
        self._pumps: list[_Pump] = []
        self._files: list[BinaryIO] = []

    @property
    def original_stdout(self) -> int:
        """A descriptor on the shim's real stdout (valid while active and after exit)."""
        return self._saved[0] if self._saved else 1

    @property
    def original_stderr(self) -> int:
        return self._saved[1] if self._saved else 2

    def __enter__(self) -> TaskLogs:
        self.directory.mkdir(parents=True, exist_ok=True)
        _flush_python_streams()
        self._saved = (os.dup(1), os.dup(2))
        for fd, path in ((1, self.stdout_path), (2, self.stderr_path)):
            read_fd, write_fd = os.pipe()
            log = open(path, "wb")  # noqa: SIM115  (closed in __exit__)
            self._files.append(log)
            pump = _Pump(read_fd, log, self._saved[1] if self.echo else None)
            pump.start()
            self._pumps.append(pump)
            os.dup2(write_fd, fd)
            os.close(write_fd)
        _line_buffered()  # so that a long task's logs stream line by line
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """Point fds 1 and 2 at the original stderr (closing the pipes) and wait for the logs
        to drain. The original stdout stays reserved for the outputs line."""
        if self._saved is None or not self._pumps:
            return
        _flush_python_streams()
        os.dup2(self._saved[1], 1)
        os.dup2(self._saved[1], 2)
        for pump in self._pumps:  # both drain at once: a chatty leftover costs one timeout
            pump.wake()
        for pump in self._pumps:
            pump.finish(_DRAIN_TIMEOUT + 1.0)
        for log in self._files:
            log.close()
        self._pumps = []

    def close(self) -> None:
        """Release the saved descriptors (after `stop`; fd 1 stays on the original stderr)."""
        self.stop()
        if self._saved is not None:
            for fd in self._saved:
                os.close(fd)
            self._saved = None

    def read(self) -> tuple[bytes, bytes]:
        """The captured (stdout, stderr) bytes so far."""
        return self.stdout_path.read_bytes(), self.stderr_path.read_bytes()


def _line_buffered() -> None:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(line_buffering=True)
            except (OSError, ValueError):
                continue


def _flush_python_streams() -> None:
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        if stream is not None:
            try:
                stream.flush()
            except (OSError, ValueError):
                continue
