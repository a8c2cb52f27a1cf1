"""Renderers for diagnostics: concise lines, full (source excerpt and caret), JSON, summary.

The diagnostics are data (`compiler.diagnostics.Diagnostic`); this module only turns them
into text. Nothing here prints: the CLI echoes what these functions return. Output is plain
text with no colour, and depends only on its inputs (never on the terminal or the clock).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from functools import lru_cache
from typing import Any

from flowc.compiler.diagnostics import Diagnostic, Severity

# Lines end where Python's tokenizer ends them (and where span lines are counted): at \r\n,
# \r or \n, never at the form feeds, U+2028 and the like that `str.splitlines` also cuts at.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BOM = "\ufeff"

# The keys of one diagnostic in the JSON form, in order; every key is always present.
JSON_KEYS: tuple[str, ...] = (
    "code",
    "name",
    "severity",
    "message",
    "help",
    "path",
    "line",
    "col",
    "end_line",
    "end_col",
)


class OutputFormat(StrEnum):
    """How `flowc check` shows diagnostics."""

    CONCISE = "concise"
    FULL = "full"
    JSON = "json"


def concise(diagnostic: Diagnostic) -> str:
    """`path:line:col: severity[CODE] message`, one line."""
    span = diagnostic.span
    return (
        f"{span.path}:{span.line}:{span.col}: "
        f"{diagnostic.severity.value}[{diagnostic.code}] {diagnostic.message}"
    )


def full(diagnostic: Diagnostic, source: str | None) -> str:
    """A header, an arrow to the place, the source line with a `^^^` underline, and help.

    `source` is the text of the diagnostic's file, or None when it could not be read; the
    excerpt is left out when the line does not exist in it.
    """
    span = diagnostic.span
    lines = [
        f"{diagnostic.severity.value}[{diagnostic.code}]: {diagnostic.message}",
    ]
    source_line = _source_line(source, span.line)
    gutter = " " * len(str(span.line))
    lines.append(f"{gutter}--> {span.path}:{span.line}:{span.col}")
    if source_line is not None:
        text = source_line.rstrip()
        col, end_col = span.col, _end_col(diagnostic, text)
        if span.line == 1 and text.startswith(_BOM):  # columns count it; nobody sees it
            text, col, end_col = text[1:], col - 1, end_col - 1
        lines.append(f"{gutter} |")
        lines.append(f"{span.line} | {text}" if text else f"{span.line} |")
        lines.append(f"{gutter} | {_underline(text, col, end_col)}")
        lines.append(f"{gutter} |")
    if diagnostic.help:
        lines.append(f"{gutter} = help: {diagnostic.help}")
    return "\n".join(lines)


def _source_line(source: str | None, line: int) -> str | None:
    if source is None or line < 1:
        return None
    source_lines = _lines(source)
    if line > len(source_lines):
        return None
    return source_lines[line - 1]


@lru_cache(maxsize=16)
def _lines(source: str) -> tuple[str, ...]:
    """The lines of a file's text, split once however many diagnostics it has."""
    return tuple(_LINE_BREAK.split(source))


def _end_col(diagnostic: Diagnostic, text: str) -> int:
    """The exclusive end column of the underline on the first line of the span."""
    span = diagnostic.span
    if span.end_line != span.line:
        return len(text) + 1
    return span.end_col


def _underline(text: str, col: int, end_col: int) -> str:
    """Carets under columns [col, end_col) of `text`, clamped to the line, at least one.

    Tabs before the carets are kept as tabs so the carets line up in a terminal.
    """
    start = min(max(col, 1), len(text) + 1)
    stop = min(max(end_col, start + 1), max(len(text) + 1, start + 1))
    padding = "".join("\t" if char == "\t" else " " for char in text[: start - 1])
    return padding + "^" * (stop - start)


def json_data(diagnostic: Diagnostic) -> dict[str, Any]:
    """One diagnostic as a JSON object with every key of `JSON_KEYS`, in that order."""
    span = diagnostic.span
    values: Mapping[str, Any] = {
        "code": diagnostic.code,
        "name": diagnostic.name,
        "severity": diagnostic.severity.value,
        "message": diagnostic.message,
        "help": diagnostic.help or None,
        "path": span.path,
        "line": span.line,
        "col": span.col,
        "end_line": span.end_line,
        "end_col": span.end_col,
    }
    return {key: values[key] for key in JSON_KEYS}


def json_text(diagnostics: Iterable[Diagnostic]) -> str:
    """A JSON list of diagnostics (an empty list when there are none), two-space indent."""
    data = [json_data(diagnostic) for diagnostic in diagnostics]
    return json.dumps(data, indent=2, ensure_ascii=False)


def render(
    diagnostics: Sequence[Diagnostic],
    output_format: OutputFormat,
    sources: Mapping[str, str | None] | None = None,
) -> str:
    """All diagnostics in one format; `sources` maps a path to its text for the full form.

    Concise is one line each; full separates diagnostics with a blank line; JSON is one list.
    """
    match output_format:
        case OutputFormat.CONCISE:
            return "\n".join(concise(diagnostic) for diagnostic in diagnostics)
        case OutputFormat.FULL:
            known = sources or {}
            blocks = [full(d, known.get(d.span.path)) for d in diagnostics]
            return "\n\n".join(blocks)
        case OutputFormat.JSON:
            return json_text(diagnostics)


def summary(diagnostics: Sequence[Diagnostic]) -> str:
    """One line for the end of `flowc check`.

    "All checks passed." when there is nothing to report; otherwise the error and warning
    counts and the number of files they are in, e.g. "Found 3 errors in 1 file.".
    """
    if not diagnostics:
        return "All checks passed."
    errors = sum(1 for d in diagnostics if d.severity is Severity.ERROR)
    warnings = len(diagnostics) - errors
    files = len({d.span.path for d in diagnostics})
    where = f"in {_count(files, 'file')}"
    if errors and warnings:
        return f"Found {_count(errors, 'error')} and {_count(warnings, 'warning')} {where}."
    if errors:
        return f"Found {_count(errors, 'error')} {where}."
    return f"Found {_count(warnings, 'warning')} {where} (no errors)."


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
