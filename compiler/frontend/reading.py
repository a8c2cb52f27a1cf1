"""Reading a flow file's text as Python does: the encoding comes from a UTF-8 BOM or a PEP 263
coding line (`# -*- coding: latin-1 -*-` on line 1 or 2), else UTF-8 (`tokenize.detect_encoding`),
and line ends are read as the interpreter reads them (universal newlines).

So `flowc check` accepts the Latin-1 file Python runs, and refuses, as Python does, a coding
line that names a codec Python does not know (FLC001, at that line, with a hint).
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.ir import Span

_CODING_LINE = re.compile(rb"^[ \t\f]*#.*?coding[:=]")


class EncodingDeclarationError(ValueError):
    """A coding line Python refuses (an unknown codec, a BOM that contradicts it)."""

    def __init__(self, reason: str, line: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line

    def diagnostic(self, path: str) -> Diagnostic:
        """FLC001 at the coding line: Python itself refuses to run the file."""
        span = Span(path=path, line=self.line, col=1, end_line=self.line, end_col=2)
        return rule("FLC001").at(
            span, f"syntax error: {self.reason}",
            help="name a codec Python knows in the coding line (utf-8, latin-1, cp1252, ...), "
            "or delete the line: the default is UTF-8")


def read_source(path: Path) -> str:
    """The text of the flow file at `path`, decoded as Python would decode it. Raises OSError
    (unreadable), UnicodeDecodeError (bytes that are not the declared or default encoding) or
    EncodingDeclarationError."""
    raw = path.read_bytes()
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as exc:
        line = _coding_line(raw)
        if line is None:  # no coding line: bytes that are not UTF-8 (FLC005, as before)
            raw.decode("utf-8")
        raise EncodingDeclarationError(exc.msg or str(exc), line or 1) from None
    if encoding == "utf-8-sig":
        encoding = "utf-8"  # keep the BOM in the text: the parser's positions count it
    with io.TextIOWrapper(io.BytesIO(raw), encoding=encoding) as text:
        return text.read()


def _coding_line(raw: bytes) -> int | None:
    """The line (1 or 2) that holds the coding comment, if any."""
    for number, line in enumerate(raw.splitlines()[:2], start=1):
        if _CODING_LINE.match(line.removeprefix(b"\xef\xbb\xbf")):
            return number
    return None
