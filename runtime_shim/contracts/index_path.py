"""Foreach index paths as text: what `--index-path` accepts, and how an orchestrator composes one.

A task's index path is its foreach indices, outermost first, written `0,2`. An orchestrator
builds a child's path from its parent's with `child_index_path(parent, item)` = `parent,item`,
where both may be placeholders it substitutes at run time; outside any foreach the parent is
the empty string, so a depth-1 path arrives as `,3`. The shim therefore accepts exactly: the
empty string (no foreach), or decimal indices separated by commas with at most one leading
comma (`3`, `,3`, `0,2`, `,0,2`), and refuses anything else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

SEPARATOR = ","
_INDEX = r"(?:0|[1-9][0-9]*)"
_INDEX_PATH_RE = re.compile(rf",?{_INDEX}(?:,{_INDEX})*")


class InvalidIndexPath(ValueError):
    """Text that is not an index path in the form this module produces."""


def format_index_path(indices: Sequence[int]) -> str:
    """`(0, 2)` -> `"0,2"`; `()` -> `""` (the parent of a top-level foreach)."""
    for index in indices:
        if not isinstance(index, int) or isinstance(index, bool) or index < 0:
            raise InvalidIndexPath(f"a foreach index is an int >= 0, got {index!r}")
    return SEPARATOR.join(str(index) for index in indices)


def child_index_path(parent: str, item: str) -> str:
    """The index path of child `item` of the task at `parent`; either may be a placeholder.

    `child_index_path("", "3")` -> `",3"`; `child_index_path("{{inputs.parameters.path}}",
    "{{item}}")` -> `"{{inputs.parameters.path}},{{item}}"`, which is valid at any depth once
    substituted, including depth 1 where the parent expands to "".
    """
    if not item:
        raise InvalidIndexPath("a foreach item index cannot be empty")
    return f"{parent}{SEPARATOR}{item}"


def parse_index_path(text: str) -> tuple[int, ...]:
    """The indices of `text` (the inverse of `format_index_path` and `child_index_path`)."""
    if text == "":
        return ()
    if not _INDEX_PATH_RE.fullmatch(text):
        raise InvalidIndexPath(
            f"{text!r} is not an index path: decimal indices >= 0 separated by commas, at most "
            "one leading comma, nothing else (e.g. 0,2 or ,0,2; empty outside a foreach)")
    return tuple(int(part) for part in text.lstrip(SEPARATOR).split(SEPARATOR))
