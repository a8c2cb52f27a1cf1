"""Placeholder: commands are added by their owners."""

import click

COMMANDS: tuple[click.Command, ...] = ()
