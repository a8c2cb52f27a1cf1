"""`flowc trigger FILE --target argo|sfn|airflow [--param NAME=VALUE ...]`: start a run of the
deployed flow. Parameter names and types are checked against the flow (with the shim's own
decoder, as `flowc run` does) before anything is called; the run id and where to watch the
run are printed; `--dry-run` prints the calls and the run's input instead, and calls nothing.
Exit statuses as `flowc deploy` (docs/deploy.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from flowc.commands.common import Output, fail
from flowc.commands.deploy import check_target, deploy_errors, prepare
from flowc.commands.settings_option import settings_option


@click.command("trigger")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--target", "-t", "target", required=True, metavar="TARGET",
              help="Where the flow is deployed: argo, sfn or airflow.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter value for the start step (repeatable).")
@click.option("--flow", "flow_name", metavar="NAME", help="The FlowSpec class.")
@click.option("--dry-run", is_flag=True,
              help="Print the calls a trigger would make and the run's input; call nothing.")
@settings_option
def trigger_command(file: Path, target: str, params: tuple[str, ...], flow_name: str | None,
                    dry_run: bool, overrides: dict[str, str]) -> None:
    """Start a run of FILE's deployed flow on the target; print its run id and where to
    watch it."""
    from flowc.targets.deploy import deployer

    check_target(target)
    prepared, values = prepare(file, target, flow_name, overrides, params)
    out = Output()
    with deploy_errors():
        triggered = deployer(target).trigger(prepared, values, os.environ, dry_run=dry_run)
    for line in triggered.lines:
        out(line)
    for problem in triggered.missing:
        out(f"# a real trigger stops here: {problem}")
    if triggered.missing:
        fail("; ".join(triggered.missing))


COMMANDS: tuple[click.Command, ...] = (trigger_command,)
