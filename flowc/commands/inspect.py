"""`flowc inspect`: print a checked flow's IR (JSON or YAML) or a picture (Mermaid or DOT).

The IR goes to stdout; diagnostics (errors, and warnings of a valid flow) go to stderr in
the concise form. Exit status as for `flowc check`: 0 printed, 1 the flow has errors, 2 usage
or I/O. The compiler and PyYAML are imported inside the command to keep start-up light.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from flowc.commands.check import (
    EXIT_CLEAN,
    EXIT_USAGE,
    SuggestingChoice,
    exit_status,
    refuse_missing,
)

if TYPE_CHECKING:
    from flowc.compiler.pipeline import CheckedFlow

INSPECT_FORMATS = ("json", "yaml", "mermaid", "dot")


# Every Unicode line break but \n and \r: in a plain or single-quoted scalar a YAML reader
# folds NEL (\x85) into a space; in a double-quoted one the emitter writes each as an escape.
YAML_LINE_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def ir_yaml(text: str) -> str:
    """The data of `ir.json` text as YAML: same keys in the same order, block style (the
    representers pinned: the bytes never depend on what else was imported). Every string reads
    back unchanged with `yaml.safe_load`: one holding a line break other than \\n and \\r is
    double-quoted, where each is an escape (PyYAML's pure-Python emitter would otherwise write
    a NEL raw, which a reader folds into a space; libyaml escapes it either way)."""
    import yaml  # type: ignore[import-untyped]

    from flowc.targets.yaml_text import PinnedDumper

    class Dumper(PinnedDumper):  # type: ignore[misc, valid-type]
        pass

    def represent_str(dumper: Any, value: str) -> Any:
        style = '"' if any(char in YAML_LINE_BREAKS for char in value) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, represent_str)
    return str(yaml.dump(json.loads(text), Dumper=Dumper, sort_keys=False, allow_unicode=True,
                         width=100, default_flow_style=False))


def render_flow(checked: CheckedFlow, output_format: str) -> str:
    """The text `flowc inspect` prints for a checked flow, ending with a newline."""
    from flowc.compiler import ir
    from flowc.targets.lower import lower
    from flowc.targets.pictures import DotPicture, MermaidPicture

    match output_format:
        case "json":
            return ir.dumps(checked.flow)
        case "yaml":
            return ir_yaml(ir.dumps(checked.flow))
        case "mermaid":
            return MermaidPicture().draw(lower(checked))
        case "dot":
            return DotPicture().draw(lower(checked))
    raise ValueError(f"unknown inspect format {output_format!r}")


@click.command("inspect")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--flow", "flow_name", metavar="NAME", help="The FlowSpec class to inspect.")
@click.option(
    "--format",
    "output_format",
    type=SuggestingChoice(list(INSPECT_FORMATS)),
    default="json",
    show_default=True,
    help="IR as json or yaml, or a mermaid or dot picture.",
)
def inspect_command(file: Path, flow_name: str | None, output_format: str) -> None:
    """Print the IR of the flow in FILE, or a picture of its graph.

    `--format json` prints exactly the `ir.json` the compiler writes. A flow with errors
    prints its diagnostics to stderr and exits with status 1.
    """
    from flowc.compiler.pipeline import check_file
    from flowc.compiler.render import concise, summary

    refuse_missing([] if file.exists() else [file])
    if file.is_dir():
        click.echo(f"flowc: error: {file} is a directory; inspect takes one flow file", err=True)
        click.get_current_context().exit(EXIT_USAGE)
    result = check_file(file, flow_name=flow_name)
    for diagnostic in result.diagnostics:
        click.echo(concise(diagnostic), err=True)
    context = click.get_current_context()
    if result.checked is None:
        click.echo(summary(result.diagnostics), err=True)
        status = exit_status([result])
        context.exit(status if status != EXIT_CLEAN else 1)
        return
    # color=True: click would strip ANSI escapes (a switch value may hold one) from a pipe but
    # not from a terminal; the output is the same bytes wherever it goes.
    click.echo(render_flow(result.checked, output_format), nl=False, color=True)


COMMANDS: tuple[click.Command, ...] = (inspect_command,)
