"""What the runner's commands share: one-line errors, the datastore, `[FLOW/]RUN[/STEP[/TASK]]`.

Every problem a user can cause (a bad path, an unreachable or missing datastore, a name
that cannot be a datastore key) becomes one line `error: ...` on stderr and exit status 2,
never a traceback; a datastore that does not answer (`Unreachable`) exits 3, an
infrastructure failure rather than a usage error. `user_errors` wraps each command for the
errors that can come from deep inside the datastore. Heavy modules are imported inside the
functions.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, ParamSpec, TypeVar

import click

if TYPE_CHECKING:
    from flowc.runtime_shim.datastore import Datastore

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INFRA = 3
DEFAULT_DATASTORE = ".flowc"
PATH_FORMS = "[FLOW/]RUN[/STEP[/TASK]]"

P = ParamSpec("P")
R = TypeVar("R")


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """One line on stderr, then exit."""
    click.echo(f"flowc: error: {message}", err=True)
    sys.exit(code)


class Output:
    """stdout for a long command: a line that cannot be written because the reader went away
    (`flowc run ... | head -1`: a broken pipe) is dropped, and so is every later one, instead
    of ending the command. `closed` says whether that happened."""

    def __init__(self) -> None:
        self.closed = False

    def __call__(self, text: str, nl: bool = True) -> None:
        if self.closed:
            return
        try:
            click.echo(text, nl=nl)
            sys.stdout.flush()
        except BrokenPipeError:
            self.closed = True
            # The interpreter flushes stdout once more at exit: point it at /dev/null so that
            # neither that flush nor a later write raises again.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)


def user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a datastore error or an unusable name raised anywhere below into `fail`."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from flowc.runtime_shim.datastore import DatastoreError, IntegrityError
        from flowc.runtime_shim.datastore.base import Unreachable
        from flowc.runtime_shim.identity import InvalidTaskId
        from flowc.runtime_shim.records import RecordError

        try:
            return command(*args, **kwargs)
        except (IntegrityError, RecordError) as exc:
            fail(str(exc), EXIT_FAILED)
        except Unreachable as exc:
            fail(str(exc), EXIT_INFRA)
        except (DatastoreError, InvalidTaskId) as exc:
            fail(str(exc))

    return wrapper


def open_store(url: str | None, *, create_default: bool = True) -> Datastore:
    """The explicit datastore (must exist) or the default `.flowc/`: created for a new run
    (`create_default`), refused with a hint when a reading command finds none."""
    from flowc.runtime_shim.datastore import DatastoreError, open_datastore

    try:
        if url is None:
            env = os.environ.get("FLOWC_DATASTORE")
            if not env and not create_default and not os.path.isdir(DEFAULT_DATASTORE):
                fail(f"no datastore here: ./{DEFAULT_DATASTORE}/ does not exist (`flowc run` "
                     "creates it; or pass --datastore DIR or set FLOWC_DATASTORE)")
            return open_datastore(env or DEFAULT_DATASTORE, create=not env)
        return open_datastore(url)
    except DatastoreError as exc:
        fail(str(exc))


def split_path(text: str) -> list[str]:
    """`text` cut at '/', refused (one line, exit 2) when a part is empty or there are too many."""
    parts = text.split("/")
    if not text or any(not part for part in parts):
        fail(f"malformed path {text!r}: expected {PATH_FORMS} with no empty part")
    if len(parts) > 4:
        fail(f"malformed path {text!r}: expected {PATH_FORMS}, got {len(parts)} parts")
    return parts


def find_run(datastore: Datastore, text: str) -> tuple[str, str, list[str]]:
    """`[FLOW/]RUN[/STEP[/TASK]]` -> (flow, run id, rest); one-line error when not found."""
    from flowc.runtime_shim.identity import check_name, parse_task_id
    from flowc.runtime_shim.records import TaskStore
    from flowc.runtime_shim.runs import list_flows

    parts = split_path(text)
    flows = list_flows(datastore)
    if parts[0] in flows and len(parts) > 1:
        flow, run_id, rest = parts[0], parts[1], parts[2:]
    else:
        owners = [flow for flow in flows if parts[0] in TaskStore(datastore, flow).list_runs()]
        if not owners:
            fail(_not_found(datastore, parts[0], flows))
        if len(owners) > 1:
            fail(f"run id '{parts[0]}' exists in several flows ({', '.join(owners)}); "
                 "write FLOW/RUN")
        if len(parts) > 3:
            fail(f"malformed path {text!r}: expected {PATH_FORMS}, got {len(parts)} parts")
        flow, run_id, rest = owners[0], parts[0], parts[1:]
    check_name("run id", run_id)
    if rest:
        check_name("step", rest[0])
    if len(rest) > 1:
        parse_task_id(rest[1])
    return flow, run_id, rest


def _not_found(datastore: Datastore, name: str, flows: list[str]) -> str:
    """The message for a first path part that is neither a run nor (usable as) a flow."""
    if name in flows:
        return f"'{name}' is a flow: write {name}/RUN (`flowc runs {name}` lists its runs)"
    known = f" (flows there: {', '.join(flows)})" if flows else " (it has no runs)"
    return f"no flow or run named '{name}' in {datastore.url}{known}"


def apply_s3_limits(flow_file: Path) -> None:
    """Put the S3 limits of the flow's common settings (`[tool.flowc]` of the nearest
    pyproject.toml, or the FLOWC_S3_* variables themselves) into this process's environment,
    which the runner's own datastore and every task inherit. A bad value fails, exit 2."""
    from flowc.targets.settings import CommonSettings, SettingsError, resolve_settings

    try:
        common = resolve_settings(None, CommonSettings, flow_file=flow_file, overrides={},
                                  environ=os.environ).value
    except SettingsError as exc:
        fail(str(exc))
    os.environ.update(common.s3_limits_env())
