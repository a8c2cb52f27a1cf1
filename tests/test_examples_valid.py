"""The examples are the docs and the golden inputs: each one checks with no diagnostic at all,
follows the house conventions, evaluates under plain `python`, and together they cover every
shape, decorator and parameter type flowc knows. Cases are discovered from `examples/*.py`."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from flowc.compiler import check_file
from flowc.compiler.ir import PARAMETER_TYPES, Flow
from flowc.compiler.ir.graph import NodeKind
from flowc.compiler.ir.known_decorators import API_DECORATORS
from flowc.compiler.ir.known_decorators import FLOW_DECORATORS as KNOWN_FLOW
from flowc.compiler.ir.known_decorators import STEP_DECORATORS as KNOWN_STEP

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
IDS = [path.stem for path in EXAMPLES]
MAX_LINES = 80
# the authoring API's decorators, from the one table (@parallel is in tests/graphs only)
STEP_DECORATORS = {d for d in API_DECORATORS if d in KNOWN_STEP} - {"parallel"}
CLASS_DECORATORS = {d for d in API_DECORATORS if d in KNOWN_FLOW}


def checked(path: Path) -> Flow:
    result = check_file(path, root=ROOT)
    assert result.checked is not None
    return result.checked.flow


@pytest.mark.parametrize("path", EXAMPLES, ids=IDS)
def test_checks_without_any_diagnostic(path: Path) -> None:
    result = check_file(path, root=ROOT)
    assert [f"{d.span}: {d.code} {d.message}" for d in result.diagnostics] == []
    assert result.checked is not None


@pytest.mark.parametrize("path", EXAMPLES, ids=IDS)
def test_conventions(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    module = ast.parse(source)
    flow = checked(path)
    assert ast.get_docstring(module), "a module docstring says what the example shows"
    assert flow.doc, "the flow class docstring says what shape it shows"
    assert len(source.splitlines()) <= MAX_LINES
    assert source.endswith(f'\n\nif __name__ == "__main__":\n    {flow.name}()\n')
    imported = {alias.name.split(".")[0] for node in ast.walk(module)
                if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(module)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert imported in ({"flowc"}, {"metaflow"}), "examples use nothing but the authoring API"


def test_exactly_one_example_imports_metaflow() -> None:
    users = [path.stem for path in EXAMPLES if "import metaflow" in path.read_text()]
    assert users == ["metaflow_compat"]


def test_class_bodies_evaluate_on_import(tmp_path: Path) -> None:
    """Importing (not running) each example defines its flow class. In a subprocess, so
    that the real `metaflow` imported by metaflow_compat stays out of this process."""
    code = (
        "import runpy, sys\n"
        "for path in sys.argv[1:]:\n"
        "    print(sorted(k for k in runpy.run_path(path, run_name='example') if 'Flow' in k))\n"
    )
    env = {**os.environ, "USERNAME": "test", "METAFLOW_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code, *map(str, EXAMPLES)], env=env,
                          capture_output=True, text=True, check=True, cwd=tmp_path)
    for path, line in zip(EXAMPLES, done.stdout.splitlines(), strict=True):
        assert repr(checked(path).name) in line, path.name


@pytest.mark.parametrize("path", EXAMPLES, ids=IDS)
def test_plain_python_runs_the_file(path: Path, tmp_path: Path) -> None:
    env = {**os.environ, "USERNAME": "test", "METAFLOW_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr


def test_examples_cover_every_shape() -> None:
    kinds: set[NodeKind] = set()
    loops, depth = 0, 0
    for path in EXAMPLES:
        graph = check_file(path, root=ROOT).checked.graph  # type: ignore[union-attr]
        kinds |= {node.kind for node in graph}
        loops += sum(1 for node in graph if node.is_loop)
        depth = max([depth, *(node.foreach_depth for node in graph)])
    expected = {NodeKind.START, NodeKind.LINEAR, NodeKind.SPLIT, NodeKind.FOREACH,
                NodeKind.SWITCH, NodeKind.JOIN, NodeKind.END}
    assert expected <= kinds
    assert loops >= 1, "one example loops (a switch case naming its own step)"
    assert depth >= 3, "one example nests foreach three deep"


def test_examples_cover_every_decorator_and_parameter_type() -> None:
    flows = [checked(path) for path in EXAMPLES]
    on_steps = {d.name for flow in flows for step in flow.steps for d in step.decorators}
    on_classes = {d.name for flow in flows for d in flow.decorators}
    assert on_steps >= STEP_DECORATORS
    assert on_classes >= CLASS_DECORATORS
    types = {p.type for flow in flows for p in flow.parameters}
    assert set(PARAMETER_TYPES) <= types
    parameters = [p for flow in flows for p in flow.parameters]
    assert any(p.separator for p in parameters)
    assert any(p.required for p in parameters)
    constants = [a.value for flow in flows for step in flow.steps for d in step.decorators
                 for a in d.arguments if a.value.is_literal and a.value.source.isupper()]
    assert constants, "one example takes decorator values from module-level constants"


def test_schedule_and_trigger_are_not_combined() -> None:
    for path in EXAMPLES:
        names = {d.name for d in checked(path).decorators}
        assert not ("schedule" in names and names & {"trigger", "trigger_on_finish"}), path.name
