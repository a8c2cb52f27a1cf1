"""`flowc deploy FILE --target argo|sfn|airflow [--dry-run]`: compile (errors stop here),
upload the code package to the datastore (skipped when there), then create or update the
definition and its schedule and triggers (targets/deploy/). Deploying the same flow twice
changes nothing and says so. `--dry-run` prints every object and call and calls nothing.

Exit statuses: 0 deployed (or nothing to change), 1 the flow has errors or the system refused
a call, 2 usage or settings (one line naming the setting and where to set it), 3 the system
or the datastore does not answer. `prepare` is shared with `flowc trigger`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from flowc.commands.check import EXIT_ERRORS
from flowc.commands.common import Output, fail
from flowc.commands.settings_option import settings_option

if TYPE_CHECKING:
    from flowc.targets.deploy.code import Prepared


def check_target(target: str) -> None:
    from flowc.targets import suggest
    from flowc.targets.deploy import DEPLOY_TARGETS

    if target not in DEPLOY_TARGETS:
        fail(suggest(target, list(DEPLOY_TARGETS)))


def prepare(file: Path, target: str, flow_name: str | None, overrides: dict[str, str],
            params: tuple[str, ...] = ()) -> tuple[Prepared, tuple[tuple[str, str], ...]]:
    """Check and compile FILE for `target` with its settings (diagnostics on stderr, exit 1
    on errors, 2 on settings), and check `params` against the flow before anything is called.
    Returns the prepared flow and the parameter values."""
    from flowc.commands.run import compile_flow, validate_params
    from flowc.compiler.ir import dumps
    from flowc.compiler.render import concise, summary
    from flowc.targets import UnknownTarget, get_target
    from flowc.targets.deploy.code import Prepared
    from flowc.targets.emit import compile_checked
    from flowc.targets.package import PackageError, package_digest
    from flowc.targets.settings import SettingsError, resolve_settings

    check_target(target)
    checked, packaged = compile_flow(file, flow_name)
    values = validate_params(checked, params)
    try:
        schema = get_target(target).settings_class
    except UnknownTarget as exc:  # a deploy module without its emitter (not merged yet)
        fail(f"target {target} cannot compile in this build: {exc}")
    package_ir = dumps(packaged.flow)
    flow_dir = file.resolve().parent
    try:
        settings = resolve_settings(target, schema, flow_file=file, overrides=overrides,
                                    environ=os.environ).value
        given = settings.code_package is not None
        digest = settings.code_package or package_digest(flow_dir, package_ir)
        settings = dataclasses.replace(settings, code_package=digest)
        # an emitter may refuse a setting only this flow needs (sfn: @schedule's ARN)
        compiled = compile_checked(checked, (target,), {target: settings})
    except (SettingsError, PackageError) as exc:
        fail(str(exc))
    for diagnostic in compiled.diagnostics:
        click.echo(concise(diagnostic), err=True)
    if not compiled.ok:
        click.echo(summary(compiled.diagnostics), err=True)
        sys.exit(EXIT_ERRORS)
    return Prepared(target=target, checked=checked, files=compiled.files, settings=settings,
                    flow_file=Path(os.path.abspath(file)), package_ir=package_ir,
                    code_package=digest, package_given=given), values


@contextlib.contextmanager
def deploy_errors() -> Iterator[None]:
    """A DeployError (or a settings problem found late) as one line with its exit status."""
    from flowc.targets.deploy import DeployError
    from flowc.targets.settings import SettingsError

    try:
        yield
    except DeployError as exc:
        fail(str(exc), exc.exit_code)
    except SettingsError as exc:
        fail(str(exc))


@click.command("deploy")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--target", "-t", "target", required=True, metavar="TARGET",
              help="Where to deploy: argo, sfn or airflow.")
@click.option("--dry-run", is_flag=True,
              help="Print every object and every call a deploy would make; call nothing.")
@click.option("--flow", "flow_name", metavar="NAME", help="The FlowSpec class to deploy.")
@settings_option
def deploy_command(file: Path, target: str, dry_run: bool, flow_name: str | None,
                   overrides: dict[str, str]) -> None:
    """Deploy FILE's flow: upload its code package, then create or update its definition,
    schedule and triggers on the target. Deploying an unchanged flow changes nothing."""
    from flowc.targets.deploy import deployer
    from flowc.targets.deploy.plan import dry_run_lines, run

    check_target(target)
    prepared, _ = prepare(file, target, flow_name, overrides)
    out = Output()
    with deploy_errors():
        deployment = deployer(target).deployment(prepared, os.environ)
        if dry_run:
            for line in dry_run_lines(deployment):
                out(line)
            if deployment.missing:
                fail("; ".join(deployment.missing))
            return
        run(deployment, out)


COMMANDS: tuple[click.Command, ...] = (deploy_command,)
