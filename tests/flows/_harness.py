"""Shim test harness: compile a flow into a code directory and run shim tasks as processes.

Not a flow: the leading underscore keeps it apart from the flows in this folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowc.compiler import ir

from flowc import compiler

REPO = Path(__file__).resolve().parents[2]
FLOWS = Path(__file__).resolve().parent


@dataclass(frozen=True)
class ShimResult:
    """One shim process: its exit code, the stdout text and the stderr text."""

    code: int
    stdout: str
    stderr: str

    @property
    def outputs(self) -> dict[str, Any]:
        lines = self.stdout.splitlines()
        assert len(lines) == 1, f"stdout must be exactly one line, got {self.stdout!r}"
        return json.loads(lines[0])  # type: ignore[no-any-return]

    @property
    def last_error_line(self) -> str:
        return self.stderr.rstrip("\n").splitlines()[-1]


def compile_flow(
    source: Path, code_dir: Path, *, extra: tuple[Path, ...] = ()
) -> compiler.CheckedFlow:
    """Copy `source` (and `extra` files) into `code_dir`, compile it and write ir.json there."""
    code_dir.mkdir(parents=True, exist_ok=True)
    for path in (source, *extra):
        shutil.copy(path, code_dir / path.name)
    result = compiler.check_file(code_dir / source.name, root=code_dir)
    assert result.checked is not None, [str(d) for d in result.diagnostics]
    (code_dir / "ir.json").write_text(ir.dumps(result.checked.flow), encoding="utf-8")
    return result.checked


def run_shim(
    step: str,
    *,
    datastore: Path | str,
    code_dir: Path | None = None,
    code_package: str | None = None,
    run_id: str = "r1",
    index_path: tuple[int, ...] = (),
    iteration: int = 0,
    retry_count: int = 0,
    params: tuple[str, ...] = (),
    extra: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
) -> ShimResult:
    """`python -m flowc.runtime_shim step ...` as a real process, from the repository root."""
    argv = [sys.executable, "-m", "flowc.runtime_shim", "step", step, "--run-id", run_id,
            "--datastore", str(datastore)]
    argv += ["--code-dir", str(code_dir)] if code_dir is not None else [
        "--code-package", str(code_package)]
    if index_path:
        argv += ["--index-path", ",".join(str(i) for i in index_path)]
    if iteration:
        argv += ["--iteration", str(iteration)]
    if retry_count:
        argv += ["--retry-count", str(retry_count)]
    for param in params:
        argv += ["--param", param]
    argv += list(extra)
    full_env = {**os.environ, **(env or {})}
    done = subprocess.run(argv, capture_output=True, text=True, cwd=REPO, env=full_env,
                          timeout=120, check=False)
    return ShimResult(done.returncode, done.stdout, done.stderr)


def run_whole_flow(checked: compiler.CheckedFlow, code_dir: Path, datastore: Path,
                   *, run_id: str = "r1", params: tuple[str, ...] = ()) -> dict[str, list[Any]]:
    """Run every task of the flow in topological order (a tiny sequential runner).

    Returns step -> [(index path, outputs)]; a self-looping step is run until its switch
    leaves it. Fails on the first task that does not exit 0.
    """
    graph, flow = checked.graph, checked.flow
    done: dict[str, list[Any]] = {}
    for name in graph.topological_order:
        node = graph[name]
        paths: set[tuple[int, ...]] = {()} if name == graph.start else set()
        for parent in node.in_steps:
            transition = flow.step(parent).transition
            for path, out in done.get(parent, []):
                if isinstance(transition, ir.Switch):
                    cases = {case.value: case.target for case in transition.cases}
                    if cases[out["switch_choice"]] != name:
                        continue
                if node.foreach_depth > len(path):
                    paths.update((*path, i) for i in out["foreach_indices"])
                else:
                    paths.add(path[: node.foreach_depth])
        done[name] = []
        for path in sorted(paths):
            iteration = 0
            while True:
                result = run_shim(name, datastore=datastore, code_dir=code_dir, run_id=run_id,
                                  index_path=path, iteration=iteration,
                                  params=params if name == graph.start else ())
                assert result.code == 0, f"{name} {path}@{iteration}:\n{result.stderr}"
                out = result.outputs
                transition = flow.step(name).transition
                if node.is_loop and isinstance(transition, ir.Switch):
                    cases = {case.value: case.target for case in transition.cases}
                    if cases[out["switch_choice"]] == name:
                        iteration += 1
                        continue
                break
            done[name].append((path, out))
    return done
