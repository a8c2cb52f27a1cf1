"""Compiling a checked flow for one or more targets: each target reports what it cannot
express, the flow is lowered once, and each emitter writes its files. Pure: the same flow
and settings give the same bytes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from flowc.compiler.diagnostics import Diagnostic, sorted_diagnostics
from flowc.compiler.pipeline import CheckedFlow
from flowc.targets import get_target
from flowc.targets.lower import lower


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
        for path, data in target().emit(lowered, (settings or {}).get(name)).items():
            assert path not in files, f"two targets write {path}"
            files[path] = data
    return Compiled(diagnostics=problems, files=MappingProxyType(dict(sorted(files.items()))))
