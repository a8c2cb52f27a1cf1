"""What every target shares: the Target protocol with its capability flags, and the one
function that builds the runtime shim's command line for a task (docs/task-contract.md).

`shim_command` takes either concrete values (the local runner) or placeholder strings that an
orchestrator substitutes at run time (Argo `{{inputs.parameters.index-path}}`, an SFN
`States.Format` argument, an Airflow Jinja expression); it never inspects a placeholder.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar, Protocol, runtime_checkable

SHIM_MODULE = "flowc.runtime_shim"

# Capability flags every target declares, with what they mean.
CAPABILITIES: dict[str, str] = {
    "SUPPORTS_SPLIT": "static split / join",
    "SUPPORTS_FOREACH": "foreach / join",
    "SUPPORTS_NESTED_FOREACH": "a foreach inside a foreach body",
    "SUPPORTS_SWITCH": "switch (conditional branch)",
    "SUPPORTS_SWITCH_LOOP": "a switch case that loops back to its own step",
    "SUPPORTS_PARALLEL": "num_parallel gangs",
    "SUPPORTS_RETRY": "@retry with its delay",
    "SUPPORTS_TIMEOUT": "@timeout",
    "SUPPORTS_CATCH": "@catch",
    "SUPPORTS_RESOURCES": "@resources / @kubernetes / @batch sizing",
    "SUPPORTS_SCHEDULE": "@schedule",
}


@runtime_checkable
class Target(Protocol):
    """A system flowc can run a checked flow on. Flags are class constants (sqlglot-style)."""

    name: ClassVar[str]
    SUPPORTS_SPLIT: ClassVar[bool]
    SUPPORTS_FOREACH: ClassVar[bool]
    SUPPORTS_NESTED_FOREACH: ClassVar[bool]
    SUPPORTS_SWITCH: ClassVar[bool]
    SUPPORTS_SWITCH_LOOP: ClassVar[bool]
    SUPPORTS_PARALLEL: ClassVar[bool]
    SUPPORTS_RETRY: ClassVar[bool]
    SUPPORTS_TIMEOUT: ClassVar[bool]
    SUPPORTS_CATCH: ClassVar[bool]
    SUPPORTS_RESOURCES: ClassVar[bool]
    SUPPORTS_SCHEDULE: ClassVar[bool]


class TargetBase:
    """Defaults for the flags (nothing supported) and a way to list them; targets subclass it."""

    name: ClassVar[str] = ""
    SUPPORTS_SPLIT: ClassVar[bool] = False
    SUPPORTS_FOREACH: ClassVar[bool] = False
    SUPPORTS_NESTED_FOREACH: ClassVar[bool] = False
    SUPPORTS_SWITCH: ClassVar[bool] = False
    SUPPORTS_SWITCH_LOOP: ClassVar[bool] = False
    SUPPORTS_PARALLEL: ClassVar[bool] = False
    SUPPORTS_RETRY: ClassVar[bool] = False
    SUPPORTS_TIMEOUT: ClassVar[bool] = False
    SUPPORTS_CATCH: ClassVar[bool] = False
    SUPPORTS_RESOURCES: ClassVar[bool] = False
    SUPPORTS_SCHEDULE: ClassVar[bool] = False

    @classmethod
    def capabilities(cls) -> dict[str, bool]:
        """Every flag of `CAPABILITIES` with this target's value, in a fixed order."""
        return {flag: bool(getattr(cls, flag)) for flag in CAPABILITIES}


def format_index_path(index_path: Sequence[int] | str) -> str:
    """`(0, 2)` -> `"0,2"`; a string (a placeholder, or already formatted) is kept as is."""
    if isinstance(index_path, str):
        return index_path
    return ",".join(str(int(index)) for index in index_path)


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
    outputs_dir: str | None = None,
    xcom_file: str | None = None,
    python: str = "python",
) -> tuple[str, ...]:
    """The argv of one task: `python -P -m flowc.runtime_shim step STEP --run-id ... [...]`.

    `-P` keeps the working directory off `sys.path`, so a folder named `flowc` there (a
    source checkout) never shadows the installed package.

    Exactly one of `code_package` (a blob hash in the datastore) and `code_dir` is given.
    Integer defaults (no foreach index, iteration 0, first attempt) are left out, so the
    common command stays short; a string is always passed (it may be a placeholder).
    `params` are raw strings, decoded by the shim from the IR's parameter types.
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
    index_text = format_index_path(index_path)
    if index_text:
        argv += ["--index-path", index_text]
    if isinstance(iteration, str) or iteration:
        argv += ["--iteration", str(iteration)]
    if isinstance(retry_count, str) or retry_count:
        argv += ["--retry-count", str(retry_count)]
    pairs = params.items() if isinstance(params, Mapping) else params
    for name, value in pairs:
        argv += ["--param", f"{name}={value}"]
    if outputs_dir is not None:
        argv += ["--outputs-dir", outputs_dir]
    if xcom_file is not None:
        argv += ["--xcom-file", xcom_file]
    return tuple(argv)
