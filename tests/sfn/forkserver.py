"""A warm fork server for the SFN harness's task processes (`python -P tests/sfn/forkserver.py`):
it imports the runtime shim and boto3 once, then for each request line on stdin
(`{"token", "argv", "env", "cwd", "stdout", "stderr"}`, argv being what follows
`python -P -m flowc.runtime_shim`) forks a child that takes exactly the task's environment and
working directory, points fds 0/1/2 at /dev/null and the two files, and runs the shim as `-m`
would. It answers `TOKEN EXIT_CODE` on stdout when the child ends. Used for wide fan-outs, where
starting 1,000 interpreters that each import boto3 costs minutes on two cores.

Beyond the imports, one S3 client is created before forking, with botocore's data loader shared
by every session (botocore reads the same JSON models for each new session otherwise), so a
child's own client creation finds the service model and compiled patterns already loaded.
"""

from __future__ import annotations

import atexit
import json
import os
import runpy
import selectors
import sys
import traceback
from typing import Any

PRELOAD = ("flowc.runtime_shim", "flowc.runtime_shim.command", "flowc.runtime_shim.execute",
           "flowc.runtime_shim.datastore", "flowc.runtime_shim.records", "flowc.compiler.ir",
           "boto3", "botocore.session", "botocore.client", "botocore.httpsession")


def _child(request: dict[str, Any]) -> None:
    """Runs in the forked child; never returns."""
    code = 1
    try:
        for fd, path, flags in ((0, os.devnull, os.O_RDONLY),
                                (1, request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                                (2, request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)):
            opened = os.open(path, flags, 0o644)
            os.dup2(opened, fd)
            os.close(opened)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        sys.argv = ["-m", *request["argv"]]
        try:
            runpy.run_module("flowc.runtime_shim", run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as stop:
            if stop.code is None or isinstance(stop.code, int):
                code = stop.code or 0
            else:
                print(stop.code, file=sys.stderr)
                code = 1
        except BaseException:  # noqa: BLE001 - reported like the interpreter does
            traceback.print_exc()
            code = 1
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def _warm_boto3() -> None:
    import boto3
    import botocore.loaders
    import botocore.session

    shared = botocore.loaders.create_loader()
    botocore.session.create_loader = lambda search_paths_string=None: shared  # type: ignore[assignment]
    boto3.session.Session(aws_access_key_id="warm", aws_secret_access_key="warm").client(
        "s3", region_name="us-east-1", endpoint_url="http://127.0.0.1:9")


def main() -> None:
    for name in PRELOAD:
        __import__(name)
    _warm_boto3()
    pending: dict[int, str] = {}
    selector = selectors.DefaultSelector()
    stdin = sys.stdin.fileno()
    selector.register(stdin, selectors.EVENT_READ)
    buffered = b""
    reading = True
    while reading or pending:
        if reading and selector.select(timeout=0.005):
            # Read the fd itself: a buffered readline could keep a second request in its
            # buffer, where select never sees it.
            chunk = os.read(stdin, 1 << 16)
            reading = bool(chunk)
            buffered += chunk
            *lines, buffered = buffered.split(b"\n")
            for line in lines:
                _start(json.loads(line), pending)
        elif not reading:
            _reap(pending, block=True)
        _reap(pending, block=False)


def _start(request: dict[str, Any], pending: dict[int, str]) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        _child(request)
    pending[pid] = request["token"]


def _reap(pending: dict[int, str], *, block: bool) -> None:
    while pending:
        pid, status = os.waitpid(-1, 0 if block else os.WNOHANG)
        if pid == 0:
            return
        token = pending.pop(pid, None)
        if token is not None:
            sys.stdout.write(f"{token} {os.waitstatus_to_exitcode(status)}\n")
            sys.stdout.flush()
        if block:
            return


if __name__ == "__main__":
    main()
