"""The local runner's warm fork server: `python -m flowc.targets.local.forkserver`.

It imports the runtime shim once, then for each request line on stdin
(`{"token", "argv", "stdout", "stderr"}`) forks a child that starts a new session, points
fds 0/1/2 at /dev/null and the given files, and runs `python -m flowc.runtime_shim <argv>` through
runpy, exactly as the interpreter's `-m` would (including its exit: non-daemon threads are
waited for and atexit handlers run before the child's `os._exit`). It answers
`started TOKEN PID` and `exited TOKEN CODE` lines on stdout. Single-threaded (fork and
threads do not mix): it waits on stdin and a SIGCHLD wake-up pipe with a selector. On stdin
EOF it kills what is left.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import json
import os
import runpy
import selectors
import signal
import sys
import threading
import traceback
from typing import Any

SHIM_MODULE = "flowc.runtime_shim"
# Imported once here so that children start warm; missing ones are skipped.
PRELOAD = (
    "flowc.runtime_shim", "flowc.runtime_shim.api", "flowc.runtime_shim.command",
    "flowc.runtime_shim.execute",
    "flowc.runtime_shim.records", "flowc.runtime_shim.datastore", "flowc.runtime_shim.codepkg",
    "flowc.runtime_shim.outputs", "flowc.runtime_shim.serialize", "flowc.runtime_shim.identity",
    "flowc.compiler.ir", "flowc.compiler.ir.graph", "flowc",
)


def _preload(extra: tuple[str, ...] = ()) -> None:
    for name in (*PRELOAD, *extra):
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a module that does not exist yet is not preloaded
            continue


def _child(request: dict[str, Any], closing: tuple[int, ...]) -> None:
    """Runs in the forked child; never returns."""
    code = 1
    try:
        os.setsid()
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for fd in closing:
            os.close(fd)
        null = os.open(os.devnull, os.O_RDONLY)
        out = os.open(request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        err = os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        for source, target in ((null, 0), (out, 1), (err, 2)):
            os.dup2(source, target)
            os.close(source)
        sys.argv = [SHIM_MODULE, *request["argv"]]
        runpy.run_module(SHIM_MODULE, run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            sys.stderr.write(f"{exc.code}\n")
            code = 1
    except BaseException:  # noqa: BLE001 - report anything, like the interpreter would
        traceback.print_exc()
        code = 1
    finally:
        _exit_like_the_interpreter()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


def _exit_like_the_interpreter() -> None:
    """What `python -m` does at exit and `os._exit` skips: wait for the non-daemon threads the
    step started, then run the atexit handlers (logging.shutdown, the user's own)."""
    with contextlib.suppress(BaseException):
        threading._shutdown()  # type: ignore[attr-defined]  # the interpreter's own call
    with contextlib.suppress(BaseException):
        atexit._run_exitfuncs()


def _say(line: str) -> None:
    os.write(1, line.encode() + b"\n")


def serve(extra: tuple[str, ...] = ()) -> None:
    """Serve until stdin closes; `extra` modules are preloaded too (e.g. the S3 backend)."""
    _preload(extra)
    gc.collect()
    gc.freeze()  # keep the preloaded objects out of the children's collections (fewer COW faults)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the runner decides; children reset it
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    selector = selectors.DefaultSelector()
    selector.register(0, selectors.EVENT_READ, "requests")
    selector.register(wake_r, selectors.EVENT_READ, "children")
    tokens: dict[int, int] = {}
    buffer = b""
    open_input = True
    while open_input or tokens:
        for key, _ in selector.select():
            if key.data == "children":
                with contextlib.suppress(BlockingIOError):
                    os.read(wake_r, 4096)
                _reap(tokens)
                continue
            chunk = os.read(0, 65536)
            if not chunk:
                open_input = False
                selector.unregister(0)
                for pid in tokens:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(pid, signal.SIGKILL)
                continue
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                request = json.loads(line)
                pid = os.fork()
                if pid == 0:
                    _child(request, (wake_r, wake_w, selector.fileno()))
                tokens[pid] = int(request["token"])
                _say(f"started {request['token']} {pid}")
        _reap(tokens)


def _reap(tokens: dict[int, int]) -> None:
    while tokens:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        token = tokens.pop(pid, None)
        if token is not None:
            _say(f"exited {token} {os.waitstatus_to_exitcode(status)}")


if __name__ == "__main__":
    serve(tuple(sys.argv[1:]))
