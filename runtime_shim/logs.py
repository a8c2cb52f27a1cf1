"""Capture a task's stdout and stderr at the file-descriptor level into log files.

While a `TaskLogs` is active, file descriptors 1 and 2 are pipes: whatever writes to them
(Python, C extensions, subprocesses that inherit them) lands in `stdout.log`/`stderr.log`
and is echoed to the shim's original stderr. The shim's own stdout (for the outputs JSON
line) is kept aside and restored on exit, so nothing the user prints can reach it.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

_CHUNK = 64 << 10
_DRAIN_TIMEOUT = 5.0  # seconds to wait for a background process still holding the pipes


class _Pump(threading.Thread):
    """Copies one pipe into a log file and onto the echo descriptor until end of file."""

    def __init__(self, read_fd: int, log: BinaryIO, echo_fd: int | None) -> None:
        super().__init__(daemon=True)
        self.read_fd = read_fd
        self.log = log
        self.echo_fd = echo_fd

    def run(self) -> None:
        while True:
            try:
                data = os.read(self.read_fd, _CHUNK)
            except OSError:
                break
            if not data:
                break
            try:
                self.log.write(data)
                self.log.flush()
            except (OSError, ValueError):  # closed after a drain timeout
                break
            if self.echo_fd is not None:
                try:
                    os.write(self.echo_fd, data)
                except OSError:
                    self.echo_fd = None
        os.close(self.read_fd)


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
        """Restore fds 1 and 2 (closing the pipes) and wait for the logs to drain."""
        if self._saved is None or not self._pumps:
            return
        _flush_python_streams()
        os.dup2(self._saved[0], 1)
        os.dup2(self._saved[1], 2)
        for pump in self._pumps:
            pump.join(_DRAIN_TIMEOUT)
        for log in self._files:
            log.close()
        self._pumps = []

    def close(self) -> None:
        """Release the saved descriptors (after `stop`)."""
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
