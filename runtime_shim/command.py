"""The shim's command line: `python -m flowc.runtime_shim step STEP --run-id ... --datastore ...`.

argparse only (a task must start fast). Exit codes: 0 success (also when `@catch` caught),
1 the user's code raised, 2 bad invocation, 3 infrastructure, 130 interrupted (SIGINT or a
KeyboardInterrupt: no record, like a kill); the last stderr line says which. stdout carries
exactly one line, the outputs JSON: the user's output goes to the task's logs (and is echoed
to stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from flowc.runtime_shim.errors import EXIT_INFRA, EXIT_INTERRUPTED, EXIT_OK, ShimError

if TYPE_CHECKING:  # the rest is imported only when a task runs, so --help stays fast
    from pathlib import Path

    from flowc.runtime_shim.execute import TaskRequest

PROG = "python -m flowc.runtime_shim"


def _index_path(text: str) -> tuple[int, ...]:
    from flowc.runtime_shim.contracts.index_path import InvalidIndexPath, parse_index_path

    try:
        return parse_index_path(text)
    except InvalidIndexPath as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 0")
    return value


def _step_list(text: str) -> tuple[str, ...]:
    return tuple(name for name in text.split(",") if name)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Run one task of a compiled flow (see docs/task-contract.md).")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    step = commands.add_parser("step", help="run one task of a step",
                               description="Run one task of STEP and print its outputs JSON.")
    step.add_argument("step", metavar="STEP", help="the step to run")
    step.add_argument("--run-id", required=True, help="the run this task belongs to")
    step.add_argument("--datastore", required=True, metavar="URL",
                      help="a directory, file:///abs/dir or s3://bucket[/prefix]")
    code = step.add_mutually_exclusive_group(required=True)
    code.add_argument("--code-package", metavar="DIGEST", help="code package blob in the datastore")
    code.add_argument("--code-dir", metavar="DIR", help="directory with the flow and ir.json")
    step.add_argument("--index-path", type=_index_path, default=(), metavar="I,J",
                      help="foreach indices, outermost first, e.g. 0,2 or ,0,2 (one leading "
                           "comma allowed; omit or empty outside a foreach)")
    step.add_argument("--iteration", type=_count, default=0, metavar="N",
                      help="loop iteration of a step that loops to itself (default 0)")
    step.add_argument("--retry-count", type=_count, default=0, metavar="N",
                      help="attempt number (default 0)")
    step.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                      help="a parameter value for the start step (repeatable)")
    step.add_argument("--param-value", nargs=2, action="append", default=[],
                      metavar=("NAME", "VALUE"),
                      help="the same as --param NAME=VALUE, with the value as its own argument "
                           "(Step Functions puts a value there by path, never through a format)")
    step.add_argument("--foreach-items", action="store_true",
                      help="also store a foreach task's item list beside its outputs "
                           "(a Step Functions ItemReader reads it)")
    step.add_argument("--outputs-dir", metavar="DIR", help="write one file per output (Argo)")
    step.add_argument("--xcom-file", metavar="PATH", help="write the outputs JSON here (Airflow)")
    step.add_argument("--origin-run-id", default="", metavar="RUN",
                      help="resume: the run whose finished tasks may be reused (empty: none)")
    step.add_argument("--reuse-steps", type=_step_list, default=(), metavar="A,B",
                      help="resume: the steps whose finished task in --origin-run-id is cloned "
                           "instead of run (empty: none)")
    return parser


def _say(message: str) -> None:
    """The shim's own last line on stderr."""
    sys.stderr.flush()
    os.write(2, f"flowc: {message}\n".encode(errors="replace"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 with a one-line error on bad usage
    from flowc.runtime_shim.identity import InvalidTaskId, check_name

    try:
        check_name("run id", args.run_id)
    except InvalidTaskId as exc:
        parser.error(f"--run-id: {exc}")
    if args.origin_run_id:
        try:
            check_name("run id", args.origin_run_id)
        except InvalidTaskId as exc:
            parser.error(f"--origin-run-id: {exc}")
    elif args.reuse_steps:
        parser.error("--reuse-steps needs --origin-run-id")
    import shutil
    import tempfile
    from pathlib import Path

    from flowc.runtime_shim.execute import TaskRequest

    request = TaskRequest(
        step=args.step, run_id=args.run_id, datastore=args.datastore,
        code_package=args.code_package, code_dir=args.code_dir, index_path=args.index_path,
        iteration=args.iteration, retry_count=args.retry_count,
        params=(*args.param, *(f"{name}={value}" for name, value in args.param_value)),
        outputs_dir=args.outputs_dir, xcom_file=args.xcom_file,
        foreach_items=args.foreach_items,
        origin_run_id=args.origin_run_id or None, reuse_steps=args.reuse_steps,
    )
    where = f"{args.run_id}/{args.step}/{request.task_id}"
    work = Path(tempfile.mkdtemp(prefix="flowc-task-"))
    try:
        return _run(request, work, where)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(request: TaskRequest, work: Path, where: str) -> int:
    import traceback

    from flowc.runtime_shim import outputs
    from flowc.runtime_shim.current import current
    from flowc.runtime_shim.datastore.base import DatastoreError
    from flowc.runtime_shim.execute import run_task
    from flowc.runtime_shim.logs import TaskLogs

    (work / "tmp").mkdir()
    logs = TaskLogs(work / "logs")
    try:
        with logs:
            try:
                record = run_task(request, logs, str(work / "tmp"))
            finally:
                logs.stop()
                current._bind(None)
        outputs.emit(outputs.orchestrator_outputs(record), outputs_dir=request.outputs_dir,
                     xcom_file=request.xcom_file, stdout_fd=logs.original_stdout)
    except ShimError as exc:
        _say(f"{where}: {exc.kind}: {exc}")
        return exc.exit_code
    except KeyboardInterrupt:  # SIGINT, or the step raised it: no record, like a kill
        _say(f"{where}: interrupted (KeyboardInterrupt): the task did not finish")
        return EXIT_INTERRUPTED
    except (OSError, DatastoreError) as exc:  # one line; botocore's details stay in the log
        _say(f"{where}: infrastructure error: {exc}")
        return EXIT_INFRA
    except Exception as exc:  # a bug in the shim: say so, with the traceback above
        traceback.print_exc()
        _say(f"{where}: internal error in the flowc shim: {type(exc).__name__}: {exc}")
        return EXIT_INFRA
    finally:
        logs.close()
    _say(f"{record.pathspec} {record.status}")
    return EXIT_OK

