"""Parsing a flow file into a syntax tree, or into exactly one FLC001 diagnostic.

The tree comes from the standard library's `ast` (see `compiler/frontend/__init__.py` for
why not libcst). Nothing here raises for any input: syntax errors, null bytes, encoding
problems and sources nested too deeply for the parser all become one FLC001 at the best
position known.
"""

from __future__ import annotations

import ast
import warnings
from typing import NamedTuple

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.frontend.spans import SourceMap

_BOM = "\ufeff"


class Parsed(NamedTuple):
    """A parsed file: its tree and the source map for positions."""

    tree: ast.Module
    source_map: SourceMap


def parse_tree(source: str, path: str) -> Parsed | Diagnostic:
    """The syntax tree of `source`, or the FLC001 diagnostic that says why there is none."""
    bom = 1 if source.startswith(_BOM) else 0
    text = source[bom:]
    source_map = SourceMap.of(text, path, bom=bom)
    try:
        with warnings.catch_warnings():
            # Invalid escape sequences and the like warn on stderr: not ours to print.
            warnings.simplefilter("ignore")
            # filename "" on purpose: given the name of a file that exists, CPython re-reads
            # the offending line from disk to compute the error column, so a file whose
            # text differs from what was parsed (a stripped BOM, an unsaved buffer passed
            # to check_source) gets a wrong column. "" can never be opened.
            tree = ast.parse(text, filename="")
    except SyntaxError as exc:
        return _syntax_error(exc, text, source_map)
    except (RecursionError, MemoryError):
        return rule("FLC001").at(
            source_map.point(1, 1),
            "the file is nested too deeply for the Python parser",
            help="simplify the deepest nested expression or statement",
        )
    except (ValueError, UnicodeError) as exc:
        return rule("FLC001").at(source_map.point(1, 1), f"cannot parse the file: {exc}")
    return Parsed(tree=tree, source_map=source_map)


def _syntax_error(exc: SyntaxError, text: str, source_map: SourceMap) -> Diagnostic:
    message = exc.msg or "invalid syntax"
    if exc.lineno is None and "\0" in text:
        line, col = _position_of(text, text.index("\0"))
        message = "the file contains a null byte"
    else:
        line = max(exc.lineno or 1, 1)
        col = max(exc.offset or 1, 1)
        if line == 1:
            col += source_map.bom
    return rule("FLC001").at(source_map.point(line, col), f"syntax error: {message}")


def _position_of(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of character `index`, counting lines as the parser does."""
    before = SourceMap.of(text[:index], "").lines
    return len(before), len(before[-1]) + 1
