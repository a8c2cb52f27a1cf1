"""`flowc check`: check flow files statically and report every diagnostic.

Diagnostics go to stdout (so `--format json` output is pure JSON), the one-line summary to
stderr. Exit status: 0 clean (warnings allowed), 1 errors, 2 usage or I/O (a missing file, a
file that cannot be read). The compiler is imported inside the command, not at module top,
so `flowc --help` stays fast. Also home of `SuggestingChoice`, shared by the other commands.
"""

from __future__ import annotations

import difflib
import errno
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from flowc.compiler.pipeline import CheckResult

EXIT_CLEAN = 0
EXIT_ERRORS = 1
EXIT_USAGE = 2
UNREADABLE_CODE = "FLC005"


class SuggestingChoice(click.Choice):  # type: ignore[type-arg]
    """A `click.Choice` whose error message suggests the closest valid value."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            choices = [str(choice) for choice in self.choices]
            listed = ", ".join(repr(choice) for choice in choices)
            message = f"{str(value)!r} is not one of {listed}."
            close = difflib.get_close_matches(str(value).lower(), choices, n=1, cutoff=0.5)
            if close:
                message += f" Did you mean {close[0]!r}?"
            self.fail(message, param, ctx)


def expand_paths(paths: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """The files to check, each once (a directory stands for the `*.py` files under it,
    sorted, hidden folders skipped), and the paths that do not exist."""
    files: list[Path] = []
    missing: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = (
                candidate
                for candidate in sorted(path.rglob("*.py"))
                if not any(part.startswith(".") for part in candidate.relative_to(path).parts)
                and _is_source_file(candidate)
            )
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            missing.append(path)
    # realpath, not Path.resolve: it does not raise on a symbolic link loop.
    unique = {os.path.realpath(file): file for file in reversed(files)}
    return [file for file in files if unique[os.path.realpath(file)] is file], missing


def _is_source_file(candidate: Path) -> bool:
    """A regular file, or a link that leads nowhere (reported as such): never a folder or a
    FIFO that happens to be named `*.py` (reading a FIFO blocks until someone writes)."""
    try:
        return stat.S_ISREG(candidate.stat().st_mode)
    except OSError:  # a broken link or a link loop: check_file names it
        return candidate.is_symlink()


def refuse_missing(missing: Sequence[Path]) -> None:
    """Exit with status 2 and one line per missing path, when there are any."""
    for path in missing:
        if path.is_symlink():
            kind = "symbolic link loop" if _loops(path) else "broken symbolic link"
            click.echo(f"flowc: error: {path} is a {kind} (to '{os.readlink(path)}')",
                       err=True)
        else:
            click.echo(f"flowc: error: no such file or directory: {path}", err=True)
    if missing:
        click.get_current_context().exit(EXIT_USAGE)


def _loops(path: Path) -> bool:
    try:
        path.stat()
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def exit_status(results: Sequence[CheckResult]) -> int:
    """2 when a file could not be read, else 1 when any error was found, else 0."""
    diagnostics = [d for result in results for d in result.diagnostics]
    if any(d.code == UNREADABLE_CODE for d in diagnostics):
        return EXIT_USAGE
    if any(d.is_error for d in diagnostics):
        return EXIT_ERRORS
    return EXIT_CLEAN


@click.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--flow", "flow_name", metavar="NAME", help="The FlowSpec class to check.")
@click.option(
    "--format",
    "output_format",
    type=SuggestingChoice(["concise", "full", "json"]),
    default="concise",
    show_default=True,
    help="How to show diagnostics.",
)
def check_command(files: tuple[Path, ...], flow_name: str | None, output_format: str) -> None:
    """Check flow FILES (or folders of them) without running them.

    Diagnostics go to stdout, the summary to stderr. Exit status: 0 clean (warnings
    allowed), 1 errors, 2 usage or I/O problem.
    """
    from flowc.compiler.pipeline import check_file
    from flowc.compiler.render import OutputFormat, render, summary

    paths, missing = expand_paths(files)
    refuse_missing(missing)
    if not paths:
        listed = ", ".join(str(path) for path in files)
        click.echo(f"flowc: error: no Python files found in: {listed}", err=True)
        click.get_current_context().exit(EXIT_USAGE)
    results = [check_file(path, flow_name=flow_name) for path in paths]
    diagnostics = [d for result in results for d in result.diagnostics]
    chosen = OutputFormat(output_format)
    sources = {result.path: result.source for result in results}
    text = render(diagnostics, chosen, sources)
    if text or chosen is OutputFormat.JSON:
        click.echo(text)
    click.echo(summary(diagnostics), err=True)
    click.get_current_context().exit(exit_status(results))


COMMANDS: tuple[click.Command, ...] = (check_command,)
