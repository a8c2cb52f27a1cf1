"""What every target shares: `TargetBase` (a name, the capabilities it supports, the settings
it reads) and `Emitter` (a target that writes files), and the one function that builds the
runtime shim's command line for a task (docs/task-contract.md).

`shim_command` takes either concrete values (the local runner) or placeholder strings that an
orchestrator substitutes at run time (Argo `{{inputs.parameters.index-path}}`, an SFN
`States.Format` argument, an Airflow Jinja expression); it never inspects a placeholder.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from flowc.runtime_shim.contracts.index_path import format_index_path
from flowc.targets.capabilities import Capability, unsupported

if TYPE_CHECKING:
    from flowc.compiler.diagnostics import Diagnostic
    from flowc.compiler.pipeline import CheckedFlow
    from flowc.targets.lower import Lowered

SHIM_MODULE = "flowc.runtime_shim"


class TargetBase:
    """A system flowc can put a checked flow on. Subclasses declare `name`, `SUPPORTS` (what
    they can express) and `IGNORES` (accepted and meaningless there); every other construct
    the flow uses is reported by `unsupported` (sqlglot's capability flags, as sets)."""

    name: ClassVar[str] = ""
    SUPPORTS: ClassVar[frozenset[Capability]] = frozenset()
    IGNORES: ClassVar[frozenset[Capability]] = frozenset()
    # The target's own settings (a frozen dataclass; see flowc.targets.settings), or None.
    settings_class: ClassVar[type | None] = None

    @classmethod
    def unsupported(cls, checked: CheckedFlow) -> list[Diagnostic]:
        """FLC201 for each construct of the flow this target cannot express, FLC202 for each
        decorator it would ignore, at the construct's span."""
        return unsupported(cls.name, cls.SUPPORTS, cls.IGNORES, checked.flow, checked.graph)


class Emitter(TargetBase, ABC):
    """A target that compiles: `emit` is pure and deterministic (same flow and settings, same
    bytes; no clock, user, host or version) and returns {relative path: file content}."""

    @abstractmethod
    def emit(self, lowered: Lowered, settings: Any) -> dict[str, bytes]: ...

    def output_problems(self, lowered: Lowered, files: dict[str, bytes]) -> list[Diagnostic]:
        """Diagnostics about what `emit` wrote (a definition over the system's size limit,
        FLC3xx); an error among them withholds every file. None by default."""
        return []


def shim_command(
    *,
    run_id: str,
    step: str,
    datastore: str,
    code_package: str | None = None,
    code_dir: str | None = None,
    index_path: Sequence[int] | str = (),
    iteration: int | str = 0,
    retry_count: int | str = 0,
    params: Mapping[str, str] | Iterable[tuple[str, str]] = (),
    param_values_apart: bool = False,
    foreach_items: bool = False,
    outputs_dir: str | None = None,
    xcom_file: str | None = None,
    origin_run_id: str | None = None,
    reuse_steps: str | None = None,
    python: str = "python",
) -> tuple[str, ...]:
    """The argv of one task: `python -P -m flowc.runtime_shim step STEP --run-id ... [...]`.

    `-P` keeps the working directory off `sys.path`, so a folder named `flowc` there (a
    source checkout) never shadows the installed package.

    Exactly one of `code_package` (a blob hash in the datastore) and `code_dir` is given.
    Integer defaults (no foreach index, iteration 0, first attempt) are left out, so the
    common command stays short; a string is always passed (it may be a placeholder).
    `params` are raw strings, decoded by the shim from the IR's parameter types; with
    `param_values_apart` each goes as `--param-value NAME VALUE` (the value its own argument,
    for an orchestrator that can place a value but not concatenate it safely: Step Functions).
    `foreach_items` has a foreach task also store its item list (docs/task-contract.md).
    `origin_run_id` and `reuse_steps` (a comma-separated list) make a resumed run clone the
    origin run's finished tasks of those steps; an orchestrator passes placeholders that are
    empty on a fresh run (docs/task-contract.md, "Resume").
    """
    if (code_package is None) == (code_dir is None):
        raise ValueError("give exactly one of code_package and code_dir")
    argv = [python, "-P", "-m", SHIM_MODULE, "step", step,
            "--run-id", run_id, "--datastore", datastore]
    if code_package is not None:
        argv += ["--code-package", code_package]
    else:
        assert code_dir is not None
        argv += ["--code-dir", code_dir]
    index_text = index_path if isinstance(index_path, str) else format_index_path(index_path)
    if index_text:
        argv += ["--index-path", index_text]
    if isinstance(iteration, str) or iteration:
        argv += ["--iteration", str(iteration)]
    if isinstance(retry_count, str) or retry_count:
        argv += ["--retry-count", str(retry_count)]
    pairs = params.items() if isinstance(params, Mapping) else params
    for name, value in pairs:
        argv += ["--param-value", name, value] if param_values_apart \
            else ["--param", f"{name}={value}"]
    if foreach_items:
        argv.append("--foreach-items")
    if outputs_dir is not None:
        argv += ["--outputs-dir", outputs_dir]
    if xcom_file is not None:
        argv += ["--xcom-file", xcom_file]
    if origin_run_id is not None:
        argv += ["--origin-run-id", origin_run_id]
    if reuse_steps is not None:
        argv += ["--reuse-steps", reuse_steps]
    return tuple(argv)
