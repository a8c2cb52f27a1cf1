"""Resolving a target's settings: the first layer that sets a value wins, then the default.

Precedence, highest first: `--set KEY=VALUE`; `[tool.flowc.<target>]`, then `[tool.flowc]`, of
the nearest pyproject.toml above the flow file; `FLOWC_<TARGET>_<KEY>`, then `FLOWC_<KEY>`; the
schema's default. Every problem (an unknown key, a bad value, a missing required setting) is
collected and raised as one SettingsError.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from flowc.targets.settings.schema import (
    COMMON_NAMES,
    CommonSettings,
    SettingsError,
    SettingSpec,
    convert,
    schema_specs,
)
from flowc.targets.settings.sources import (
    PyprojectTables,
    did_you_mean,
    env_name,
    environment,
    nearest_pyproject,
    normalize_key,
)

T = TypeVar("T", bound=CommonSettings)

COMMAND_LINE = "command line"
DEFAULT = "default"


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolved(Generic[T]):
    """The resolved settings and, for each setting name, where its value came from."""

    value: T
    sources: Mapping[str, str]


# One layer: a source label per setting name, with the raw value it gives.
Layer = dict[str, tuple[str, Any]]


def _known_targets(target: str | None) -> set[str]:
    from flowc.targets import REGISTRY

    return set(REGISTRY) | ({target} if target else set())


def _pyproject_layers(tables: PyprojectTables | None, target: str | None,
                      specs: Mapping[str, SettingSpec], problems: list[str]) -> list[Layer]:
    if tables is None:
        return []
    for name in sorted(tables.targets):
        if name not in _known_targets(target):
            problems.append(f"unknown target table [tool.flowc.{name}] in {tables.label()}"
                            f"{did_you_mean(name, _known_targets(target))}")
    common_where = tables.label()
    for key in tables.common:
        if key not in COMMON_NAMES:
            hint = (f"; it is a setting of target {target}: move it to [tool.flowc.{target}]"
                    if key in specs else did_you_mean(key, COMMON_NAMES))
            problems.append(f"unknown setting '{key}' in {common_where}{hint}")
    layers: list[Layer] = []
    if target and target in tables.targets:
        where = tables.label(target)
        for key in tables.targets[target]:
            if key not in specs:
                problems.append(f"unknown setting '{key}' in {where}{did_you_mean(key, specs)}")
        layers.append({k: (where, v) for k, v in tables.targets[target].items() if k in specs})
    layers.append({k: (common_where, v) for k, v in tables.common.items() if k in COMMON_NAMES})
    return layers


def _missing(spec: SettingSpec, target: str | None, tables: PyprojectTables | None) -> str:
    table = f"tool.flowc.{target}" if target else "tool.flowc"
    where = tables.label(target) if tables else f"[{table}] of pyproject.toml"
    variable = env_name(spec.name, target)
    return (f"missing required setting '{spec.name}' ({spec.help}): pass --set {spec.name}=VALUE,"
            f" set {spec.name} in {where}, or set the environment variable {variable}")


def resolve_settings(target: str | None, schema: type[T], *, flow_file: Path,
                     overrides: Mapping[str, str], environ: Mapping[str, str]) -> Resolved[T]:
    """`schema` filled from the command line, pyproject.toml, the environment and defaults.

    `target` names the `[tool.flowc.<target>]` table and the `FLOWC_<TARGET>_*` variables
    (None: the common settings only). Raises SettingsError with every problem in one line."""
    specs = {spec.name: spec for spec in schema_specs(schema)}
    problems: list[str] = []
    command_line: Layer = {}
    for given_key, value in overrides.items():
        key = normalize_key(given_key)
        if key in specs:
            command_line[key] = (COMMAND_LINE, value)
        else:
            problems.append(f"unknown setting '{key}' given with --set{did_you_mean(key, specs)}")
    try:
        tables = nearest_pyproject(flow_file)
    except SettingsError as exc:
        problems.extend(exc.problems)
        tables = None
    found, unknown_vars = environment(environ, specs, target)
    for variable in unknown_vars:
        key = variable.removeprefix(env_name("", target)).lower()
        problems.append(f"unknown setting '{key}' in the environment variable {variable}"
                        f"{did_you_mean(key, specs)}")
    env_layer: Layer = {name: (f"env {var}", value) for name, (var, value) in found.items()}
    layers = [command_line, *_pyproject_layers(tables, target, specs, problems), env_layer]
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name, spec in specs.items():
        given = next((layer[name] for layer in layers if name in layer), None)
        if given is None:
            if spec.required:
                problems.append(_missing(spec, target, tables))
            else:
                values[name], sources[name] = spec.default, DEFAULT
            continue
        where, raw = given
        try:
            values[name], sources[name] = convert(spec, raw, where), where
        except SettingsError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SettingsError(problems)
    return Resolved(value=schema(**values), sources=MappingProxyType(sources))
