"""Determinism: the same example gives the same bytes, twice in one process and in a fresh
process with another hash seed (IR JSON, YAML, Mermaid, DOT and rendered diagnostics)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))

# Compiles every example and prints {example: sha256 of each output}; run in-process and in
# subprocesses, so it must only use the project's public functions.
OUTPUTS_SCRIPT = """
import hashlib, json, sys
from pathlib import Path
from flowc.compiler import check_file, ir
from flowc.targets import pictures
from flowc.targets.emit import compile_checked, target_settings
from flowc.commands.inspect import ir_yaml

root = Path(sys.argv[1])
digests = {}
for path in sorted((root / "examples").glob("*.py")):
    result = check_file(path, root=root)
    flow, graph = result.checked.flow, result.checked.graph
    text = ir.dumps(flow)
    outputs = {
        "ir.json": text,
        "ir.yaml": ir_yaml(text),
        "mermaid": pictures.mermaid(result.checked),
        "dot": pictures.dot(result.checked),
        "order": " ".join(graph.topological_order),
        "argo.yaml": compile_checked(result.checked, ("argo",), target_settings(
            ("argo",), path, result.checked, overrides={}, environ={})).files["argo.yaml"]
            .decode(),
    }
    digests[path.stem] = {
        name: hashlib.sha256(value.encode()).hexdigest() for name, value in outputs.items()
    }
print(json.dumps(digests, sort_keys=True))
"""


def outputs_in_process() -> str:
    namespace: dict[str, object] = {}
    argv = sys.argv
    try:
        sys.argv = ["outputs", str(ROOT)]
        from contextlib import redirect_stdout
        from io import StringIO

        buffer = StringIO()
        with redirect_stdout(buffer):
            exec(compile(OUTPUTS_SCRIPT, "outputs", "exec"), namespace)
    finally:
        sys.argv = argv
    return buffer.getvalue()


def outputs_in_subprocess(hash_seed: str, cwd: Path) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run([sys.executable, "-c", OUTPUTS_SCRIPT, str(ROOT)], cwd=cwd, env=env,
                          capture_output=True, text=True, check=True)
    return done.stdout


def test_every_example_is_covered() -> None:
    digests = json.loads(outputs_in_process())
    assert sorted(digests) == [path.stem for path in EXAMPLES]


def test_twice_in_one_process() -> None:
    assert outputs_in_process() == outputs_in_process()


@pytest.mark.parametrize("hash_seed", ["0", "12345"])
def test_other_process_other_hash_seed(hash_seed: str, tmp_path: Path) -> None:
    # Another working directory too: paths in the IR are relative to the root given.
    assert outputs_in_subprocess(hash_seed, tmp_path) == outputs_in_process()


def test_diagnostics_are_deterministic(tmp_path: Path) -> None:
    """Rendered diagnostics of a file with many problems do not depend on the hash seed."""
    broken = tmp_path / "broken.py"
    broken.write_text(
        "from flowc import FlowSpec, step\n\n\n"
        "class Broken(FlowSpec):\n"
        "    @step\n    def start(self):\n        self.next(self.a, self.b, self.c)\n\n"
        "    @step\n    def a(self):\n        self.next(self.d)\n\n"
        "    @step\n    def b(self):\n        self.next(self.d)\n\n"
        "    @step\n    def c(self):\n        self.next(self.missing)\n\n"
        "    @step\n    def d(self):\n        self.next(self.end)\n\n"
        "    @step\n    def lost(self):\n        self.next(self.end)\n\n"
        "    @step\n    def end(self):\n        pass\n"
    )
    script = (
        "import sys\nfrom pathlib import Path\nfrom flowc.compiler import check_file\n"
        "from flowc.compiler.render import OutputFormat, render\n"
        "r = check_file(Path(sys.argv[1]), root=Path(sys.argv[1]).parent)\n"
        "print(render(r.diagnostics, OutputFormat.JSON))\n"
    )
    runs = {
        seed: subprocess.run(
            [sys.executable, "-c", script, str(broken)], capture_output=True, text=True,
            check=True, env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(set(runs.values())) == 1
    assert json.loads(runs["1"])


def test_importing_hera_changes_no_output() -> None:
    """hera replaces PyYAML's global str representer when imported (multi-line strings become
    blocks); flowc's YAML pins its own, so the bytes never depend on what else was loaded."""
    script = "import hera.workflows\n" + OUTPUTS_SCRIPT
    done = subprocess.run([sys.executable, "-c", script, str(ROOT)], capture_output=True,
                          text=True, check=True, timeout=120)
    assert done.stdout == outputs_in_subprocess("0", ROOT)
