"""CLI commands, one module per group of commands; each exposes COMMANDS."""
