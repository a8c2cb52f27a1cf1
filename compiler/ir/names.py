"""What makes a name usable: the one definition that both `flowc check` (the validator) and the
runtime (datastore keys, task arguments) apply, so that `check` passes exactly what `run` takes.

Flow, run id and step names go into datastore keys and pathspecs; parameter names travel as
task arguments (`--param NAME=VALUE`) on every orchestrator. Standard library only.
"""

from __future__ import annotations

import re

# A datastore key part: ASCII, no separator, not starting with '.' (so `.`/`..` never appear)
# or '-' (an option), and nothing a shell or a URL would mangle.
KEY_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@=+,:\-]*")
KEY_NAME_RULE = "letters, digits and '_.-@=+,:', not starting with '.' or '-'"

# Metaflow's lint for steps: lowercase ASCII letters, digits and underscores, no leading '_'.
STEP_NAME = re.compile(r"[a-z0-9][a-z0-9_]*")
STEP_NAME_RULE = "lowercase ASCII letters, digits and underscores, not starting with '_'"

# `--param NAME=VALUE` on every target: no '=' (the value starts at the first one), no space.
PARAMETER_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-]*")
PARAMETER_NAME_RULE = "ASCII letters, digits, '_' and '-', not starting with '-'"


def _ascii_fullmatch(pattern: re.Pattern[str], name: str) -> bool:
    return name.isascii() and pattern.fullmatch(name) is not None


def is_key_name(name: str) -> bool:
    """Whether `name` can be a flow name, run id or step name in a datastore key."""
    return _ascii_fullmatch(KEY_NAME, name)


def is_step_name(name: str) -> bool:
    """Whether `name` is a valid step name (also a valid key name)."""
    return _ascii_fullmatch(STEP_NAME, name)


def is_flow_name(name: str) -> bool:
    """Whether `name` is a valid flow name: a key name (a class name is an identifier)."""
    return is_key_name(name)


def is_parameter_name(name: str) -> bool:
    """Whether `name` can be a parameter's name on every target's command line."""
    return _ascii_fullmatch(PARAMETER_NAME, name)


def bad_characters(name: str, allowed: re.Pattern[str]) -> str:
    """The characters of `name` that `allowed` (a one-character class) refuses, quoted."""
    bad = sorted({c for c in name if not (c.isascii() and allowed.fullmatch(c))})
    return ", ".join(repr(c) for c in bad)
