"""The compile pipeline: read a file, parse it (frontend), derive the graph, run every rule.

`check_file` and `check_source` never raise for anything in the user's file: every problem
comes back as a diagnostic. A `CheckedFlow` exists only when no error was found, and it is
the only thing targets accept.
"""

from __future__ import annotations

import difflib
import errno
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flowc.compiler.diagnostics import Diagnostic, has_errors, rule, sorted_diagnostics
from flowc.compiler.ir import Flow, Span
from flowc.compiler.ir.graph import FlowGraph

if TYPE_CHECKING:
    from flowc.compiler.frontend import ParsedFlow


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckedFlow:
    """A flow with no errors, and its graph facts."""

    flow: Flow
    graph: FlowGraph


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckResult:
    path: str
    source: str | None
    flow: Flow | None
    checked: CheckedFlow | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        return self.checked is not None


def display_path(path: Path, root: Path | None = None) -> str:
    """`path` relative to `root` (default: the working directory) when inside it, POSIX form."""
    # realpath, not Path.resolve: it does not raise on a symbolic link loop.
    base = Path(os.path.realpath(root or Path.cwd()))
    resolved = Path(os.path.realpath(path))
    try:
        return resolved.relative_to(base).as_posix()
    except ValueError:
        return Path(os.path.normpath(path)).as_posix()


def check_file(
    path: Path, *, root: Path | None = None, flow_name: str | None = None
) -> CheckResult:
    from flowc.compiler.frontend.reading import EncodingDeclarationError, read_source

    shown = display_path(path, root)
    try:
        source = read_source(path)  # PEP 263: the encoding Python would read the file with
    except EncodingDeclarationError as exc:
        return CheckResult(path=shown, source=None, flow=None, checked=None,
                           diagnostics=(exc.diagnostic(shown),))
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        if path.is_symlink() and not path.exists():  # name the link, not its missing target
            shown = f"{display_path(path.parent, root)}/{path.name}".removeprefix("./")
            loops = isinstance(exc, OSError) and exc.errno == errno.ELOOP
            kind = "a symbolic link loop" if loops else "a broken symbolic link"
            reason = f"it is {kind} (to '{os.readlink(path)}')"
        diagnostic = rule("FLC005").at(_file_span(shown), f"cannot read '{shown}': {reason}")
        return CheckResult(
            path=shown, source=None, flow=None, checked=None, diagnostics=(diagnostic,)
        )
    return check_source(source, path=shown, flow_name=flow_name)


def check_source(source: str, *, path: str, flow_name: str | None = None) -> CheckResult:
    from flowc.compiler.frontend import (
        parse_source,  # imported on first parse: keeps `flowc --help` light
    )
    from flowc.compiler.validate import validate

    module = parse_source(source, path)
    diagnostics = list(module.diagnostics)
    chosen = None
    if not diagnostics:
        chosen, choice_problems = _choose_flow(module.flows, flow_name, path)
        diagnostics.extend(choice_problems)
    if chosen is None:
        return CheckResult(
            path=path,
            source=source,
            flow=None,
            checked=None,
            diagnostics=sorted_diagnostics(diagnostics),
        )
    diagnostics.extend(chosen.diagnostics)
    graph = FlowGraph.build(chosen.flow)
    diagnostics.extend(
        validate(chosen.flow, graph, rejected_transitions=chosen.rejected_transitions,
                 unseen_steps=chosen.unseen_steps)
    )
    ordered = sorted_diagnostics(diagnostics)
    checked = None if has_errors(ordered) else CheckedFlow(flow=chosen.flow, graph=graph)
    return CheckResult(
        path=path, source=source, flow=chosen.flow, checked=checked, diagnostics=ordered
    )


def _choose_flow(
    flows: tuple[ParsedFlow, ...], flow_name: str | None, path: str
) -> tuple[ParsedFlow | None, list[Diagnostic]]:
    names = [parsed.flow.name for parsed in flows]
    if flow_name is not None:
        for parsed in flows:
            if parsed.flow.name == flow_name:
                return parsed, []
        close = difflib.get_close_matches(flow_name, names, n=1)
        hint = f"did you mean '{close[0]}'?" if close else None
        listed = ", ".join(names) or "none"
        message = f"no flow named '{flow_name}' in this file (flows here: {listed})"
        return None, [rule("FLC004").at(_file_span(path), message, help=hint)]
    if not flows:
        return None, [
            rule("FLC002").at(_file_span(path), "no FlowSpec subclass found in this file")
        ]
    if len(flows) > 1:
        listed = ", ".join(names)
        message = f"this file defines {len(flows)} flows ({listed}); choose one"
        return None, [
            rule("FLC003").at(
                flows[1].flow.span,
                message,
                help=f"pass --flow {names[0]} (or another of: {listed})",
            )
        ]
    return flows[0], []


def _file_span(path: str) -> Span:
    return Span(path=path, line=1, col=1, end_line=1, end_col=1)
