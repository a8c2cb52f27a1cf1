"""`flowc run`, `flowc resume`, `flowc runs`, `flowc show`: the local runner's commands.

`run` compiles in-process (concise diagnostics, exit 1 on errors), validates `--param`s with
the shim's own decoder (one line, exit 2), stores the code package and runs every task as a
shim process. Exit codes: 0 success, 1 a task failed (or the flow has errors), 2 usage/IO
(a run id already taken included), 3 the datastore failed (does not answer, or fails once
tasks ran).
Heavy imports happen inside the commands so that `flowc --help` stays fast.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from flowc.commands.check import UNREADABLE_CODE
from flowc.commands.common import (
    EXIT_FAILED,
    EXIT_INFRA,
    EXIT_USAGE,
    Output,
    apply_s3_limits,
    fail,
    find_run,
    open_store,
    user_errors,
)
from flowc.commands.settings_option import settings_option

if TYPE_CHECKING:
    from flowc.compiler.pipeline import CheckedFlow
    from flowc.runtime_shim.datastore import Datastore

def compile_flow(path: Path, flow_name: str | None) -> tuple[CheckedFlow, CheckedFlow]:
    """(checked for display, checked with paths relative to the flow's directory: the IR that
    goes into the code package). Renders diagnostics; exits 1 on errors, 2 if unreadable."""
    from flowc import compiler
    from flowc.compiler.render import concise

    if path.is_dir():
        fail(f"{path} is a directory; give the flow's .py file")
    if path.is_symlink() and not path.exists():
        fail(f"{path} is a broken symbolic link (to '{os.readlink(path)}')")
    if not path.is_file():
        fail(f"no such flow file: {path}")
    if path.suffix != ".py":
        fail(f"{path} does not end in .py: every task imports the flow file as a Python module")
    result = compiler.check_file(path, flow_name=flow_name)
    for diagnostic in result.diagnostics:
        click.echo(concise(diagnostic), err=True)
    if result.checked is None:
        unreadable = any(d.code == UNREADABLE_CODE for d in result.diagnostics)
        sys.exit(EXIT_USAGE if unreadable else EXIT_FAILED)
    packaged = compiler.check_file(path, root=path.resolve().parent, flow_name=flow_name)
    assert packaged.checked is not None
    return result.checked, packaged.checked


# A `--param` value reaches its task as a command-line argument on every target (Linux refuses
# one argument over 128 KiB, E2BIG; orchestrators' parameter fields are smaller still): larger
# values are refused here, naming the limit. Pass a path or a URL to large data instead.
PARAM_VALUE_MAX_BYTES = 64 * 1024


def validate_params(checked: CheckedFlow, raw: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Decode every `--param` with the shim's decoder now, before any task starts."""
    from flowc.runtime_shim.errors import UsageError
    from flowc.runtime_shim.params import resolve_parameters, split_assignments

    for item in raw:
        name, _, value = item.partition("=")
        size = len(value.encode("utf-8", "surrogateescape"))
        if size > PARAM_VALUE_MAX_BYTES:
            fail(f"the value of parameter '{name}' is {size:,} bytes; a --param value is "
                 f"limited to {PARAM_VALUE_MAX_BYTES // 1024} KiB (it reaches the task as a "
                 "command-line argument): pass a path or URL to the data instead")
    try:
        resolve_parameters(checked.flow, raw)
        return tuple(split_assignments(raw).items())
    except UsageError as exc:
        fail(str(exc))


def execute(checked: CheckedFlow, packaged: CheckedFlow, flow_file: Path | None,
            datastore: Datastore, code_package: str | None = None,
            announce: Callable[[str], str] | None = None, **kwargs: Any) -> None:
    """Store the code package of `flow_file`'s folder (unless given), run, print the summary,
    exit 1 on failure. `announce(digest)` is a line to print before the run starts."""
    from flowc.compiler.ir import dumps
    from flowc.compiler.render import concise
    from flowc.runtime_shim.contracts.run_id import new_run_id
    from flowc.runtime_shim.datastore import DatastoreError
    from flowc.runtime_shim.datastore.base import Unreachable
    from flowc.runtime_shim.records import TaskStore
    from flowc.runtime_shim.runs import RunExists
    from flowc.targets.local.progress import Progress
    from flowc.targets.local.target import LocalTarget
    from flowc.targets.package import PackageError, upload_package

    problems = LocalTarget.unsupported(checked)
    for problem in problems:
        click.echo(concise(problem), err=True)
    if any(problem.is_error for problem in problems):
        sys.exit(EXIT_FAILED)
    run_id = kwargs.pop("run_id", None) or new_run_id()
    package = code_package
    try:
        if TaskStore(datastore, checked.flow.name).list_steps(run_id):
            fail(f"run {checked.flow.name}/{run_id} already exists in {datastore.url}")
        if package is None:
            assert flow_file is not None
            package = upload_package(datastore, flow_file.resolve().parent,
                                     dumps(packaged.flow)).digest
    except Unreachable as exc:
        fail(str(exc), EXIT_INFRA)
    except (DatastoreError, PackageError) as exc:  # the package's store may not answer: 3
        fail(str(exc), EXIT_INFRA if isinstance(exc.__context__, Unreachable) else EXIT_USAGE)
    out = Output()  # a closed stdout drops the output, never the run (docs/local-runner.md)
    if announce is not None:
        out(announce(package))
    tty = sys.stdout.isatty()
    progress = Progress(out, checked.graph.topological_order,
                        tty=tty, width=shutil.get_terminal_size().columns)
    out(f"run {checked.flow.name}/{run_id} (datastore {datastore.url})")
    signal.signal(signal.SIGTERM, _interrupt)  # like Ctrl-C: kill the tasks, record "failed"
    try:
        with _source_named(flow_file):
            result = LocalTarget().run(packaged, datastore=datastore, code_package=package,
                                       run_id=run_id, report=progress,
                                       flow_file=flow_file and str(flow_file), **kwargs)
    except KeyboardInterrupt:
        click.echo("\ninterrupted: running tasks were killed", err=True)
        sys.exit(130)
    except RunExists as exc:  # another runner created this run id first: no task ran
        fail(str(exc))
    except DatastoreError as exc:  # the run started: an infrastructure failure
        fail(str(exc), EXIT_INFRA)
    progress.summary(checked.flow.name, result)
    if not result.ok:  # 3 when a task failed for the datastore's sake (the shim exited 3)
        infra = any(failure.infrastructure for failure in result.failures)
        sys.exit(EXIT_INFRA if infra else EXIT_FAILED)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _source_named(flow_file: Path | None) -> Iterator[None]:
    """Tell the tasks (through their environment) which file the packaged flow came from, so
    their tracebacks name it (runtime_shim/loader.py checks it still holds the same code)."""
    from flowc.runtime_shim.loader import SOURCE_FILE_ENV

    before = os.environ.get(SOURCE_FILE_ENV)
    if flow_file is not None:
        os.environ[SOURCE_FILE_ENV] = str(flow_file)
    else:
        os.environ.pop(SOURCE_FILE_ENV, None)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(SOURCE_FILE_ENV, None)
        else:
            os.environ[SOURCE_FILE_ENV] = before


@click.command("run")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--flow", "flow_name", help="The flow class, when the file defines several.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter value for the start step (repeatable).")
@click.option("--max-workers", type=click.IntRange(min=1), default=None,
              help="Tasks running at once (default: the number of CPUs).")
@click.option("--datastore", default=None, metavar="DIR|s3://BUCKET/PREFIX",
              help="Where runs are stored (default: $FLOWC_DATASTORE, else ./.flowc/).")
@click.option("--run-id", default=None,
              help="Use this run id instead of a generated one ([a-z0-9-], at most 30).")
@user_errors
def run_command(file: Path, flow_name: str | None, params: tuple[str, ...],
                max_workers: int | None, datastore: str | None, run_id: str | None) -> None:
    """Run FILE's flow locally: every task is its own runtime-shim process."""
    from flowc.runtime_shim.contracts.run_id import InvalidRunId, check_run_id

    if run_id is not None:
        try:
            check_run_id(run_id)
        except InvalidRunId as exc:
            fail(str(exc))
    checked, packaged = compile_flow(file, flow_name)
    values = validate_params(checked, params)
    apply_s3_limits(file)
    store = open_store(datastore)  # after the checks: a refused run creates no `.flowc/`
    execute(checked, packaged, Path(os.path.abspath(file)), store, params=values,
            max_workers=max_workers, run_id=run_id)


@click.command("resume")
@click.argument("run", metavar="[FLOW/]RUN_ID[/STEP]")
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option("--from", "from_step", default=None, metavar="STEP",
              help="Re-run this step and everything downstream of it.")
@click.option("--flow", "flow_name", help="The flow class, when FILE defines several.")
@click.option("--max-workers", type=click.IntRange(min=1), default=None)
@click.option("--datastore", default=None, metavar="DIR|s3://BUCKET/PREFIX")
@click.option("--target", "-t", "target", default=None, metavar="TARGET",
              help="Resume a run of this orchestrator on it (argo, sfn, airflow); FILE is "
                   "then required.")
@settings_option
@user_errors
def resume_command(run: str, file: Path | None, from_step: str | None, flow_name: str | None,
                   max_workers: int | None, datastore: str | None, target: str | None,
                   overrides: dict[str, str]) -> None:
    """A new run that reuses RUN's finished tasks and runs the rest with the flow file as it
    is now (the one RUN was started from, or FILE). `RUN/STEP` is `RUN --from STEP`.
    With --target, the new run starts on that orchestrator from its deployed definition."""
    if target is not None:
        from flowc.commands.resume_target import resume_on_target

        if datastore is not None or max_workers is not None:
            fail("--datastore and --max-workers are for local runs; with --target the "
                 "target's settings name the datastore")
        resume_on_target(run, file, from_step, flow_name, target, overrides)
        return
    if overrides:
        fail("--set is for resuming on an orchestrator (--target); a local resume takes "
             "--datastore")
    from flowc.runtime_shim.records import TaskStore
    from flowc.runtime_shim.runs import read_run
    from flowc.targets.local.resume import (
        check_reusable,
        checked_from_package,
        code_line,
        origin_checked,
    )
    from flowc.targets.resume import ResumeError, downstream, first_failed_step

    if file is not None:
        apply_s3_limits(file)
    store = open_store(datastore, create_default=False)
    flow, run_id, rest = find_run(store, run)
    from_step = _resume_point(run, rest, from_step)
    tasks = TaskStore(store, flow)
    info = read_run(tasks, run_id)
    if info is None:
        fail(f"no run {flow}/{run_id}")
    if file is None and info.flow_file is not None:
        file = Path(info.flow_file)
        if not file.exists():
            fail(f"the flow file of {flow}/{run_id} no longer exists: {file}; pass the file to "
                 f"run: `flowc resume {flow}/{run_id} FILE`")
    package: str | None = None
    announce: Callable[[str], str] | None = None
    flow_file: Path | None = None
    if file is not None:
        checked, packaged = compile_flow(file, flow_name or flow)
        if checked.flow.name != flow:
            fail(f"{file} defines {checked.flow.name}, but {flow}/{run_id} is a run of {flow}: "
                 "resume runs the same flow (or start a new one with `flowc run`)")
        flow_file = Path(os.path.abspath(file))
        announce = functools.partial(code_line, str(flow_file), origin=info)
    else:
        if info.code_package is None:
            fail(f"run {flow}/{run_id} has no code package; pass the flow FILE")
        package = info.code_package
        packaged = checked = checked_from_package(store, flow, package)
        Output()(f"code: the code package of {flow}/{run_id} (the run does not record its "
                   "flow file; pass FILE to run the current code)")
    try:
        if from_step is not None:
            downstream(checked.graph, from_step)
        if flow_file is not None:
            check_reusable(info, origin_checked(store, info), checked, from_step,
                           lambda step: bool(tasks.list_tasks(run_id, step)))
    except ResumeError as exc:
        fail(str(exc))
    if from_step is None:
        from_step = first_failed_step(checked.graph, info.failed_steps)
    execute(checked, packaged, flow_file, store, package, announce,
            params=tuple(info.params.items()), max_workers=max_workers,
            origin_run_id=run_id, from_step=from_step)


def _resume_point(text: str, rest: list[str], from_step: str | None) -> str | None:
    """`FLOW/RUN/STEP` is `FLOW/RUN --from STEP` (the step is checked against the flow like
    --from); a task part, or a step that contradicts --from, is refused."""
    if len(rest) > 1:
        fail(f"cannot resume from a task ({text!r}): give [FLOW/]RUN[/STEP]; a step re-runs "
             "all of its tasks")
    if rest and from_step is not None and rest[0] != from_step:
        fail(f"{text!r} names step '{rest[0]}' but --from names '{from_step}': give one")
    return rest[0] if rest else from_step


@click.command("runs")
@click.argument("flow", required=False)
@click.option("--datastore", default=None, metavar="DIR|s3://BUCKET/PREFIX")
@user_errors
def runs_command(flow: str | None, datastore: str | None) -> None:
    """List runs (newest last): id, status, start, duration, steps."""
    from flowc.targets.local.report import runs_table

    store = open_store(datastore, create_default=False)
    try:
        lines = list(runs_table(store, flow))
    except KeyError as exc:
        fail(str(exc.args[0]))
    out = Output()
    for line in lines:
        out(line)


@click.command("show")
@click.argument("path", metavar="[FLOW/]RUN[/STEP[/TASK]]")
@click.option("--datastore", default=None, metavar="DIR|s3://BUCKET/PREFIX")
@user_errors
def show_command(path: str, datastore: str | None) -> None:
    """Show a run, a step or a task: artifacts with types, sizes and small values.

    A corrupt blob or record exits 1 (an integrity error naming it), bad paths exit 2."""
    from flowc.targets.local.report import show_lines

    store = open_store(datastore, create_default=False)
    flow, run_id, rest = find_run(store, path)
    out = Output()
    try:
        for line in show_lines(store, flow, run_id, rest):
            out(line)
    except KeyError as exc:
        fail(str(exc.args[0]) if exc.args else str(exc))


COMMANDS: tuple[click.Command, ...] = (run_command, resume_command, runs_command, show_command)
