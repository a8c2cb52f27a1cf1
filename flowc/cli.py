"""The `flowc` command line: one click group; each command lives in `flowc.commands`.

Commands import the compiler, targets and runtime lazily, inside the command, so that
`flowc --help` and start-up stay fast.
"""

from __future__ import annotations

import click

from flowc.commands import check, compile, config, inspect, run


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="flowc")
def main() -> None:
    """flowc: compile Metaflow-style flows to Argo, Step Functions and Airflow, or run them."""


for command in (*check.COMMANDS, *inspect.COMMANDS, *compile.COMMANDS, *run.COMMANDS,
                *config.COMMANDS):
    main.add_command(command)
