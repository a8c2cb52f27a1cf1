"""Source positions: turn parser positions into `ir.Span`s and recover source text.

The parser reports 1-based lines and 0-based UTF-8 *byte* columns; `ir.Span` wants 1-based
*character* columns (end exclusive). This is the one place that converts, lazily and only
for the nodes the frontend keeps, so a 2,000-step file costs a few thousand conversions.
"""

from __future__ import annotations

import ast
import re
from typing import NamedTuple

from flowc.compiler.ir import Span

# Python's tokenizer ends a line at \r\n, \r or \n (never at \f, \v or U+2028).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_DEF_KEYWORD = re.compile(r"(?:async\s+def|def|class)\s+")


class SourceMap(NamedTuple):
    """The lines of one file, for positions and source text of parser nodes.

    `bom` is 1 when the file began with a byte-order mark that was stripped before parsing:
    columns on the first line are then shifted by one character.
    """

    path: str
    lines: tuple[str, ...]
    bom: int
    encoded_lines: dict[int, bytes]  # a cache, filled as lines are needed

    @classmethod
    def of(cls, source: str, path: str, *, bom: int = 0) -> SourceMap:
        return cls(path=path, lines=tuple(_LINE_BREAK.split(source)), bom=bom,
                   encoded_lines={})

    def line_text(self, line: int) -> str:
        """The text of 1-based `line`, or "" past the end of the file."""
        if 1 <= line <= len(self.lines):
            return self.lines[line - 1]
        return ""

    def _line_bytes(self, line: int) -> bytes:
        cached = self.encoded_lines.get(line)
        if cached is None:
            cached = self.line_text(line).encode("utf-8", "surrogatepass")
            self.encoded_lines[line] = cached
        return cached

    def char_col(self, line: int, byte_col: int) -> int:
        """The 1-based character column of a 0-based UTF-8 byte column on `line`."""
        text = self.line_text(line)
        if text.isascii():
            col = byte_col
        else:
            col = len(self._line_bytes(line)[:byte_col].decode("utf-8", "replace"))
        return col + 1 + (self.bom if line == 1 else 0)

    def span(self, node: ast.AST) -> Span:
        """The span of a parser node that carries a position (expressions, statements)."""
        line: int = getattr(node, "lineno", 1)
        end_line: int = getattr(node, "end_lineno", None) or line
        col = self.char_col(line, getattr(node, "col_offset", 0))
        end_col = self.char_col(end_line, getattr(node, "end_col_offset", None) or 0)
        if (end_line, end_col) < (line, col):
            end_line, end_col = line, col
        return Span(path=self.path, line=line, col=col, end_line=end_line, end_col=end_col)

    def text(self, node: ast.AST) -> str:
        """The exact source text of a parser node (all its lines, verbatim)."""
        line: int = getattr(node, "lineno", 1)
        end_line: int = getattr(node, "end_lineno", None) or line
        start: int = getattr(node, "col_offset", 0)
        end: int = getattr(node, "end_col_offset", None) or 0
        if line == end_line:
            return self._line_bytes(line)[start:end].decode("utf-8", "replace")
        parts = [self._line_bytes(line)[start:]]
        parts.extend(self._line_bytes(n) for n in range(line + 1, end_line))
        parts.append(self._line_bytes(end_line)[:end])
        return b"\n".join(parts).decode("utf-8", "replace")

    def name_span(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> Span:
        """The span of the name in `def name` / `class Name` (the parser gives only the
        keyword's position); falls back to the keyword when the name is on another line."""
        line = node.lineno
        keyword_col = self.char_col(line, node.col_offset)
        start = keyword_col - 1 - (self.bom if line == 1 else 0)
        match = _DEF_KEYWORD.match(self.line_text(line), start)
        if match is None or not self.line_text(line).startswith(node.name, match.end()):
            return Span(path=self.path, line=line, col=keyword_col, end_line=line,
                        end_col=keyword_col)
        col = keyword_col + (match.end() - start)
        return Span(path=self.path, line=line, col=col, end_line=line,
                    end_col=col + len(node.name))

    def point(self, line: int, col: int) -> Span:
        """A one-character span at 1-based `line`/`col` (for parser errors)."""
        return Span(path=self.path, line=line, col=col, end_line=line, end_col=col + 1)
