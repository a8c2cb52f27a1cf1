"""Where settings come from: `--set KEY=VALUE`, the nearest pyproject.toml's `[tool.flowc]`
tables, and `FLOWC_*` environment variables; each read into `{setting name: raw value}`.

Keys may be written with `-` or `_` (`service-account` is `service_account`). Environment
variables are `FLOWC_<KEY>` for the common settings and `FLOWC_<TARGET>_<KEY>` for any
setting of one target, upper-cased with `-` as `_`.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowc.targets.settings.schema import COMMON_NAMES, SettingsError

PYPROJECT = "pyproject.toml"
ENV_PREFIX = "FLOWC_"


def normalize_key(key: str) -> str:
    """`service-account` -> `service_account`: the field name a key stands for."""
    return key.strip().replace("-", "_")


def env_name(name: str, target: str | None = None) -> str:
    """`FLOWC_IMAGE` (common) or `FLOWC_ARGO_IMAGE` (the `argo` target's)."""
    middle = f"{target.upper().replace('-', '_')}_" if target else ""
    return f"{ENV_PREFIX}{middle}{name.upper()}"


def did_you_mean(key: str, known: Iterable[str]) -> str:
    """`; did you mean 'image'?` for a close known name, else the list of known names."""
    names = sorted(known)
    close = difflib.get_close_matches(key, names, n=1)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f" (known: {', '.join(names)})" if names else " (none are known)"


def parse_overrides(items: Iterable[str]) -> dict[str, str]:
    """`["image=x", "tags=a,b"]` -> `{"image": "x", "tags": "a,b"}`; a missing `=`, an empty
    key or a key given twice is a SettingsError."""
    values: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        name = normalize_key(key)
        if not sep or not name:
            raise SettingsError(f"--set expects KEY=VALUE, got {item!r}")
        if name in values:
            raise SettingsError(f"setting '{name}' is given twice with --set")
        values[name] = value
    return values


@dataclass(frozen=True, slots=True, kw_only=True)
class PyprojectTables:
    """The `[tool.flowc]` table of one pyproject.toml, split into common keys and targets."""

    path: Path
    common: Mapping[str, Any]
    targets: Mapping[str, Mapping[str, Any]]

    def label(self, target: str | None = None) -> str:
        """`path/pyproject.toml [tool.flowc.argo]`: a source, as the user sees it."""
        table = f"tool.flowc.{target}" if target else "tool.flowc"
        return f"{_display(self.path)} [{table}]"


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except (ValueError, OSError):  # elsewhere, or the working directory is gone
        return str(path)


def _keys(table: Mapping[str, Any], where: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in table.items():
        name = normalize_key(key)
        if name in values:
            raise SettingsError(f"setting '{name}' is given twice in {where}")
        values[name] = value
    return values


def read_pyproject(path: Path) -> PyprojectTables | None:
    """The `[tool.flowc]` tables of `path`, or None when it has none; SettingsError when the
    file cannot be read or parsed."""
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"cannot read {_display(path)}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{_display(path)} is not valid TOML: {exc}") from None
    tool = data.get("tool")
    table = tool.get("flowc") if isinstance(tool, dict) else None
    if table is None:
        return None
    where = f"{_display(path)} [tool.flowc]"
    if not isinstance(table, dict):
        raise SettingsError(f"{where} must be a table")
    common = {k: v for k, v in table.items() if not isinstance(v, dict)}
    targets = {}
    for name, sub in table.items():
        if isinstance(sub, dict):
            targets[name] = _keys(sub, f"{_display(path)} [tool.flowc.{name}]")
    return PyprojectTables(path=path, common=_keys(common, where), targets=targets)


def nearest_pyproject(flow_file: Path) -> PyprojectTables | None:
    """The `[tool.flowc]` tables of the nearest pyproject.toml above `flow_file` that has them
    (a pyproject.toml without `[tool.flowc]` is passed over, as ruff does with `[tool.ruff]`)."""
    folder = Path(os.path.abspath(flow_file)).parent
    for directory in (folder, *folder.parents):
        candidate = directory / PYPROJECT
        if candidate.is_file():
            tables = read_pyproject(candidate)
            if tables is not None:
                return tables
    return None


def environment(environ: Mapping[str, str], names: Iterable[str],
                target: str | None) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """({name: (variable, value)} for the settings `environ` sets, the unknown variables named
    `FLOWC_<TARGET>_*`). A target's own variable beats the common one, which only the common
    settings have."""
    found: dict[str, tuple[str, str]] = {}
    known = list(names)
    for name in known:
        variables = [env_name(name, target)] if target else []
        if name in COMMON_NAMES:
            variables.append(env_name(name))
        for variable in variables:
            if variable in environ:
                found[name] = (variable, environ[variable])
                break
    unknown: list[str] = []
    if target:
        prefix = env_name("", target)
        expected = {env_name(name, target) for name in known}
        unknown = sorted(v for v in environ if v.startswith(prefix) and v not in expected)
    return found, unknown
