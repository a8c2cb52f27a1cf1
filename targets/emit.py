"""Compiling a checked flow for one or more targets: each target's settings are resolved
(and its code package named), each target reports what it cannot express, the flow is lowered
once, and each emitter writes its files. Pure: the same flow and settings give the same bytes."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from flowc.compiler.diagnostics import Diagnostic, sorted_diagnostics
from flowc.compiler.ir import dumps
from flowc.compiler.ir.nodes import with_path
from flowc.compiler.pipeline import CheckedFlow
from flowc.targets import get_target
from flowc.targets.lower import lower
from flowc.targets.package import package_digest
from flowc.targets.settings import resolve_settings


@dataclass(frozen=True, slots=True, kw_only=True)
class Compiled:
    """The targets' diagnostics, and their files (none when a diagnostic is an error)."""

    diagnostics: tuple[Diagnostic, ...]
    files: Mapping[str, bytes] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def ok(self) -> bool:
        return not any(diagnostic.is_error for diagnostic in self.diagnostics)


def compile_checked(checked: CheckedFlow, target_names: tuple[str, ...],
                    settings: Mapping[str, Any] | None = None) -> Compiled:
    """Compile for each named target; `settings` maps a target name to its resolved settings."""
    targets = [get_target(name) for name in target_names]
    problems = sorted_diagnostics(
        [problem for target in targets for problem in target.unsupported(checked)])
    if any(problem.is_error for problem in problems):
        return Compiled(diagnostics=problems)
    lowered = lower(checked)
    files: dict[str, bytes] = {}
    for name, target in zip(target_names, targets, strict=True):
        emitter = target()
        written = emitter.emit(lowered, (settings or {}).get(name))
        problems = (*problems, *emitter.output_problems(lowered, written))
        for path, data in written.items():
            assert path not in files, f"two targets write {path}"
            files[path] = data
    problems = sorted_diagnostics(problems)
    if any(problem.is_error for problem in problems):
        return Compiled(diagnostics=problems)
    return Compiled(diagnostics=problems, files=MappingProxyType(dict(sorted(files.items()))))


def target_settings(target_names: tuple[str, ...], flow_file: Path, checked: CheckedFlow, *,
                    overrides: Mapping[str, str], environ: Mapping[str, str]) -> dict[str, Any]:
    """Each named target's resolved settings (targets without settings are left out). A
    target that names its code package gets the digest of the flow folder's package unless
    the settings give one. Raises SettingsError or PackageError (one line each)."""
    resolved: dict[str, Any] = {}
    digest: str | None = None
    for name in target_names:
        schema = get_target(name).settings_class
        if schema is None:
            continue
        value = resolve_settings(name, schema, flow_file=flow_file, overrides=overrides,
                                 environ=environ).value
        if any(f.name == "code_package" for f in dataclasses.fields(value)) \
                and value.code_package is None:
            digest = digest or code_package_digest(flow_file, checked)
            value = dataclasses.replace(value, code_package=digest)
        resolved[name] = value
    return resolved


def code_package_digest(flow_file: Path, checked: CheckedFlow) -> str:
    """The digest of the flow's code package: its folder and `ir.json` with spans relative to
    that folder, exactly as `flowc run` and `flowc deploy` store it."""
    flow_dir = flow_file.resolve().parent
    packaged = with_path(checked.flow, flow_file.resolve().relative_to(flow_dir).as_posix())
    return package_digest(flow_dir, dumps(packaged))
