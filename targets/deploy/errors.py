"""Errors of deploying and triggering, each one line with the exit status the CLI uses:
2 for what the user must fix (settings, credentials, a flow that is not deployed), 1 for a call
the system refused, 3 for a system that does not answer (an infrastructure failure, like an
unreachable datastore). A secret (a token) is scrubbed from every message."""

from __future__ import annotations

from collections.abc import Iterable

EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_INFRA = 3


class DeployError(Exception):
    """One line for the user, and the exit status."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class Unreachable(DeployError):
    """The system did not answer (connection refused, DNS, timeout, a 5xx): exit 3."""

    def __init__(self, message: str) -> None:
        super().__init__(message, EXIT_INFRA)


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    """`text` with every secret replaced by `***`."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def missing_setting(target: str, name: str, what: str) -> str:
    """The line for a setting a deploy needs: the option, the pyproject key, the variable."""
    from flowc.targets.settings.sources import env_name

    return (f"missing setting '{name}' ({what}): pass --set {name}=VALUE, set {name} in "
            f"[tool.flowc.{target}] of pyproject.toml, or set the environment variable "
            f"{env_name(name, target)}")
