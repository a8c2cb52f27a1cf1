"""`flowc compile FILE --target T [-o DIR]`: check the flow, lower it once, and let the target's
emitter write its files (`--target all`: every compile target, as the goldens hold them).

Without `-o` the one file a target writes goes to stdout. Diagnostics go to stderr in the
concise form; exit 0 written, 1 the flow has errors or uses what the target cannot express,
2 usage or I/O. Writing is atomic per file: a reader never sees half a definition.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

import click

from flowc.commands.check import EXIT_ERRORS, EXIT_USAGE, exit_status, refuse_missing
from flowc.commands.common import fail
from flowc.commands.settings_option import settings_option


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def compile_files(file: Path, target_names: tuple[str, ...], flow_name: str | None,
                  overrides: Mapping[str, str]) -> Mapping[str, bytes]:
    """Every file the named targets write for the flow in `file`; diagnostics on stderr, and
    exit 1 when the flow has errors or a target cannot express it."""
    from flowc.compiler.pipeline import check_file
    from flowc.compiler.render import concise, summary
    from flowc.targets.emit import compile_checked, target_settings
    from flowc.targets.package import PackageError
    from flowc.targets.settings import SettingsError

    result = check_file(file, flow_name=flow_name)
    for diagnostic in result.diagnostics:
        click.echo(concise(diagnostic), err=True)
    if result.checked is None:
        click.echo(summary(result.diagnostics), err=True)
        sys.exit(exit_status([result]) or EXIT_ERRORS)
    try:
        settings = target_settings(target_names, file, result.checked,
                                   overrides=overrides, environ=os.environ)
        # an emitter may still refuse a setting only one flow needs (sfn: @schedule's ARN)
        compiled = compile_checked(result.checked, target_names, settings)
    except (SettingsError, PackageError) as exc:
        fail(str(exc))
    for diagnostic in compiled.diagnostics:
        click.echo(concise(diagnostic), err=True)
    if not compiled.ok:
        click.echo(summary(compiled.diagnostics), err=True)
        sys.exit(EXIT_ERRORS)
    return compiled.files


@click.command("compile")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--target", "-t", "target_name", required=True, metavar="TARGET",
              help="What to compile to: argo, sfn, airflow, ir, mermaid, dot, or all of them.")
@click.option("--output", "-o", "output_dir", type=click.Path(path_type=Path),
              help="Write the files into this directory (created if missing).")
@click.option("--flow", "flow_name", metavar="NAME", help="The FlowSpec class to compile.")
@settings_option
def compile_command(file: Path, target_name: str, output_dir: Path | None,
                    flow_name: str | None, overrides: dict[str, str]) -> None:
    """Compile the flow in FILE for a target: the files it writes go into DIR, or to stdout."""
    from flowc.targets import COMPILE_TARGETS, suggest

    if target_name == "all":
        target_names = COMPILE_TARGETS
    elif target_name in COMPILE_TARGETS:
        target_names = (target_name,)
    else:
        hint = " (it runs flows: use `flowc run`)" if target_name == "local" else ""
        fail(f"{suggest(target_name, [*COMPILE_TARGETS, 'all'])}{hint}"
             if not hint else f"'{target_name}' is not a compile target{hint}")
    refuse_missing([] if file.exists() else [file])
    if file.is_dir():
        fail(f"{file} is a directory; compile takes one flow file")
    files = compile_files(file, target_names, flow_name, overrides)
    if output_dir is None:
        if len(files) != 1:
            fail(f"--target {target_name} writes {len(files)} files: give a directory with -o",
                 EXIT_USAGE)
        sys.stdout.buffer.write(next(iter(files.values())))
        sys.stdout.flush()
        return
    try:
        for name, data in sorted(files.items()):
            _write_atomically(output_dir / name, data)
    except OSError as exc:
        fail(f"cannot write into {output_dir}: {exc.strerror or exc}")
    for name in sorted(files):
        click.echo(f"wrote {output_dir / name}")


COMMANDS: tuple[click.Command, ...] = (compile_command,)
