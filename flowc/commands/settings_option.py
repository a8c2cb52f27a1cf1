"""`--set KEY=VALUE` (repeatable), the command-line layer of the settings, for any command.

Decorate a command with `settings_option`; it receives `overrides: dict[str, str]` to pass to
`flowc.targets.settings.resolve_settings`. A malformed item is one line and exit 2.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from flowc.commands.common import fail

F = TypeVar("F", bound=Callable[..., object])


def _parse(ctx: click.Context, param: click.Parameter, items: tuple[str, ...]) -> dict[str, str]:
    from flowc.targets.settings import SettingsError, parse_overrides

    try:
        return parse_overrides(items)
    except SettingsError as exc:
        fail(str(exc))


def settings_option(command: F) -> F:
    """Add `--set KEY=VALUE` to `command`, parsed into its `overrides` argument."""
    option = click.option(
        "--set", "overrides", multiple=True, metavar="KEY=VALUE", callback=_parse,
        help="A setting (repeatable); beats pyproject.toml's [tool.flowc] and FLOWC_* variables.")
    return option(command)
