"""A task loads only the IR of the compiler: every task of a real run (through the Metaflow
alias, a foreach and its join) is run with `-P -X importtime`, and the modules it actually
loaded are checked against what docs/architecture.md says a task never needs."""

from __future__ import annotations

import re
from pathlib import Path

from flows._harness import REPO, compile_flow, run_shim

# What a task must never load: the rest of the compiler, the targets, the CLI and the heavy
# third-party packages those use.
NEVER_IN_A_TASK = (
    "flowc.compiler.frontend", "flowc.compiler.validate", "flowc.compiler.diagnostics",
    "flowc.compiler.pipeline", "flowc.targets", "flowc.commands", "flowc.cli",
    "click", "yaml", "jinja2", "hera", "libcst",
)
# `import time: self [us] | cumulative | imported package`, the name indented by depth
_IMPORT_LINE = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$")


def _loaded_modules(stderr: str) -> set[str]:
    return {m.group(1) for line in stderr.splitlines() if (m := _IMPORT_LINE.match(line))}


def _forbidden(loaded: set[str]) -> list[str]:
    return sorted(module for module in loaded for banned in NEVER_IN_A_TASK
                  if module == banned or module.startswith(banned + "."))


def test_the_forbidden_list_matches_submodules_only() -> None:
    assert _forbidden({"flowc.compiler.ir", "flowc.compiler.validate.balance", "clickhouse",
                       "yaml", "flowc.targetsx"}) == ["flowc.compiler.validate.balance", "yaml"]


def test_a_task_loads_only_the_ir_of_the_compiler(tmp_path: Path) -> None:
    code_dir, datastore = tmp_path / "code", tmp_path / "ds"
    compile_flow(REPO / "examples" / "metaflow_compat.py", code_dir)
    datastore.mkdir()
    env = {"PYTHONSAFEPATH": "1", "PYTHONPROFILEIMPORTTIME": "1"}  # python -P -X importtime
    tasks = [("start", ()), *(("label", (i,)) for i in range(3)), ("join", ()), ("end", ())]
    loaded_by_any: set[str] = set()
    for step, index_path in tasks:
        done = run_shim(step, datastore=datastore, code_dir=code_dir, index_path=index_path,
                        env=env)
        assert done.code == 0, f"{step} {index_path}:\n{done.stderr}"
        loaded = _loaded_modules(done.stderr)
        # not vacuous: the task did read its IR and its graph facts, through the alias
        assert {"flowc.compiler.ir", "flowc.compiler.ir.graph", "flowc.runtime_shim.execute",
                "flowc.runtime_shim.metaflow_alias"} <= loaded, step
        assert _forbidden(loaded) == [], f"task {step} {index_path} loaded {_forbidden(loaded)}"
        loaded_by_any |= loaded
    assert "flowc.runtime_shim.lineage" in loaded_by_any  # the join read its inputs
