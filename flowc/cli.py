"""The `flowc` command line: one click group; each command lives in `flowc.commands`.

Commands import the compiler, targets and runtime lazily, inside the command, so that
`flowc --help` and start-up stay fast. A usage error (an unknown option, a bad option value)
is one line `flowc: error: ...` on stderr and exit status 2, like every other error of flowc:
`FlowcGroup` formats click's errors instead of click's usage block.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from flowc.commands import check, compile, config, deploy, inspect, run, trigger


def one_line(error: click.ClickException) -> str:
    """`flowc: error: <message> (try 'flowc run -h')`: the message's lines joined."""
    message = " ".join(line.strip() for line in error.format_message().splitlines()
                       if line.strip())
    context = getattr(error, "ctx", None)
    hint = f" (try '{context.command_path} -h')" if context is not None else ""
    return f"flowc: error: {message}{hint}"


class FlowcGroup(click.Group):
    """A click group whose errors are one line each (click's own are a usage block)."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        return self._standalone(args, prog_name, complete_var, **extra)

    def _standalone(self, args: Sequence[str] | None, prog_name: str | None,
                    complete_var: str | None, **extra: Any) -> NoReturn:
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:  # bare `flowc`: the help, as click
            exc.show()
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(one_line(exc), err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("flowc: error: aborted", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=FlowcGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="flowc")
def main() -> None:
    """flowc: compile Metaflow-style flows to Argo, Step Functions and Airflow, or run them."""


for command in (*check.COMMANDS, *inspect.COMMANDS, *compile.COMMANDS, *run.COMMANDS,
                *config.COMMANDS, *deploy.COMMANDS, *trigger.COMMANDS):
    main.add_command(command)
