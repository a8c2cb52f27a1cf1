"""`flowc config FILE [--target T]`: the settings a target would use for FILE, and where each
one came from (the command line, a pyproject.toml table, an environment variable, a default)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from flowc.commands.common import fail
from flowc.commands.settings_option import settings_option


def _text(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ",".join(value)
    return str(value)


def _json(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def config_lines(target: str | None, rows: list[tuple[str, Any, str]]) -> list[str]:
    """An aligned table: name, value, source; one row per setting."""
    header = [f"settings for target {target}" if target else "common settings (no --target)"]
    name_width = max((len(name) for name, _, _ in rows), default=0)
    value_width = max((len(_text(value)) for _, value, _ in rows), default=0)
    return header + [f"  {name:<{name_width}}  {_text(value):<{value_width}}  {source}".rstrip()
                     for name, value, source in rows]


@click.command("config")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--target", "-t", "target", default=None,
              help="The target whose settings to show (default: the common settings only).")
@settings_option
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Aligned text, or JSON.")
def config_command(file: Path, target: str | None, overrides: dict[str, str],
                   output_format: str) -> None:
    """Show the settings resolved for FILE's flow, each with where it came from."""
    from dataclasses import fields

    from flowc.targets import UnknownTarget, get_target
    from flowc.targets.settings import CommonSettings, SettingsError, resolve_settings

    if not file.is_file():
        fail(f"no such flow file: {file}")
    schema: type[CommonSettings] = CommonSettings
    if target is not None:
        try:
            schema = getattr(get_target(target), "settings_class", None) or CommonSettings
        except UnknownTarget as exc:
            fail(str(exc))
    try:
        resolved = resolve_settings(target, schema, flow_file=file, overrides=overrides,
                                    environ=os.environ)
    except SettingsError as exc:
        fail(str(exc))
    rows = [(field.name, getattr(resolved.value, field.name), resolved.sources[field.name])
            for field in fields(resolved.value)]
    if output_format == "json":
        settings = {name: {"value": _json(value), "source": source}
                    for name, value, source in rows}
        click.echo(json.dumps({"target": target, "settings": settings}, indent=2))
        return
    for line in config_lines(target, rows):
        click.echo(line)


COMMANDS: tuple[click.Command, ...] = (config_command,)
