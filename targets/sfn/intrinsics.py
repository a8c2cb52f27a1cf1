"""Amazon States Language intrinsic functions (JSONPath), written so that a user's string is
only ever a quoted literal: `'`, `{`, `}` and `\\` are escaped with a backslash (the ASL
rule for reserved characters in intrinsic string literals), so no text can end a literal,
open a placeholder or call a function.

`Dynamic` turns an argv built by `targets.base.shim_command` with placeholder tokens into one
`States.Array(...)` expression: a token stands for a JSONPath (a context value such as
`$.flowc.run_id`); a literal is quoted; an item that mixes both is a `States.Format`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

_RESERVED = re.compile(r"([\\'{}])")
_TOKEN = re.compile("\x00([0-9]+)\x00")


def literal(text: str) -> str:
    """`text` as an intrinsic string literal."""
    return "'" + _RESERVED.sub(r"\\\1", text) + "'"


def call(function: str, *arguments: str) -> str:
    """`States.<function>(a,b,...)`; each argument is already an expression (no spaces:
    a 2,000-step definition must stay under 1 MB)."""
    return f"States.{function}({','.join(arguments)})"


def format_string(pieces: Sequence[str | Ref]) -> str:
    """`States.Format` over literal pieces and paths (or expressions), in order."""
    template = "".join(_RESERVED.sub(r"\\\1", piece) if isinstance(piece, str) else "{}"
                       for piece in pieces)
    paths = [piece.expression for piece in pieces if isinstance(piece, Ref)]
    return call("Format", "'" + template + "'", *paths)


@dataclass(frozen=True, slots=True)
class Ref:
    """A JSONPath (`$.flowc.run_id`, `$$.State.RetryCount`) or a nested intrinsic, to be
    used as an argument; `text=True` when its value is a string (else it is formatted)."""

    expression: str
    text: bool = True

    def as_string(self) -> str:
        """The expression as a string value (a number goes through `States.Format`)."""
        return self.expression if self.text else call("Format", "'{}'", self.expression)


@dataclass(slots=True)
class Dynamic:
    """Placeholder tokens for `shim_command`, each standing for a `Ref`."""

    paths: list[Ref] = field(default_factory=list)

    def token(self, path: Ref) -> str:
        self.paths.append(path)
        return f"\x00{len(self.paths) - 1}\x00"

    def item(self, text: str) -> str:
        """One argv item as an expression."""
        parts = _TOKEN.split(text)
        if len(parts) == 1:
            return literal(text)
        if len(parts) == 3 and parts[0] == parts[2] == "":
            return self.paths[int(parts[1])].as_string()
        pieces: list[str | Ref] = []
        for position, part in enumerate(parts):
            if position % 2:
                pieces.append(self.paths[int(part)])
            elif part:
                pieces.append(part)
        return format_string(pieces)

    def array(self, argv: Sequence[str]) -> str:
        """The whole argv as one `States.Array(...)` of strings."""
        return call("Array", *(self.item(item) for item in argv))
