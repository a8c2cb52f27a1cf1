"""The Airflow goldens as Python: every one parses, passes `ruff check` with the default rules
(in both operator forms), imports nothing of flowc, and holds every user string of the hostile
example as a constant; a user string that reaches a field Airflow renders with Jinja is wrapped
in `literal(...)`. Every golden also imports through DagBag in the
Airflow venv of tests/tools/install_airflow.sh (tests/airflow/venv.py finds it)."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from airflow.venv import airflow_bin
from flowc.compiler import check_file
from flowc.targets.emit import compile_checked, target_settings

ROOT = Path(__file__).resolve().parent.parent
GOLDENS = sorted(ROOT.glob("golden/*/airflow.py"))
RUFF = str(Path(sys.executable).with_name("ruff"))
# What flowc itself writes into templated fields: Airflow's run id, the try number, params.
OWN_TEMPLATES = re.compile(
    r"(\{\{ run_id \}\}|\{\{ ti\.try_number - 1 \}\}"
    r"|[\w-]*=?\{\{ params\['[\w.-]+'\]( \| (lower|json))? \}\})")
TEMPLATED_FIELDS = {"arguments", "argv", "env_vars", "labels", "annotations", "node_selector",
                    "image", "namespace", "kubernetes_conn_id"}


def compile_example(example: str, **overrides: str) -> str:
    path = ROOT / "examples" / f"{example}.py"
    checked = check_file(path, root=ROOT).checked
    assert checked is not None
    settings = target_settings(("airflow",), path, checked, overrides=overrides, environ={})
    output = compile_checked(checked, ("airflow",), settings)
    assert output.ok, [d.message for d in output.diagnostics]
    return output.files["airflow.py"].decode()


def test_every_example_but_the_switch_loop_has_an_airflow_golden() -> None:
    examples = {path.stem for path in (ROOT / "examples").glob("*.py")}
    assert {path.parent.name for path in GOLDENS} == examples - {"switch_loop"}


@pytest.mark.parametrize("golden", GOLDENS, ids=[p.parent.name for p in GOLDENS])
def test_a_golden_is_python_that_imports_airflow_only(golden: Path) -> None:
    tree = ast.parse(golden.read_text())
    modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names}
    modules |= {node.module for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module}
    outside = {name for name in modules if name.split(".")[0] not in
               {"__future__", "airflow", "kubernetes", "pendulum", "datetime", "typing",
                "json", "subprocess"}}
    assert not outside, outside
    assert "flowc" not in {name.split(".")[0] for name in modules}


def test_every_golden_and_the_local_form_pass_ruff_with_the_default_rules(
        tmp_path: Path) -> None:
    files = [str(path) for path in GOLDENS]
    for golden in GOLDENS:
        local = tmp_path / f"{golden.parent.name}.py"
        local.write_text(compile_example(golden.parent.name, operator="local",
                                         datastore="/srv/flowc"))
        files.append(str(local))
    done = subprocess.run([RUFF, "check", "--isolated", "--no-cache", *files],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_can_fail_on_a_golden(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text((ROOT / "golden/hello/airflow.py").read_text() + "import os\n")
    done = subprocess.run([RUFF, "check", "--isolated", "--no-cache", str(broken)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "F401" in done.stdout


def _constants(tree: ast.AST) -> set[str]:
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def test_the_hostile_strings_are_python_constants() -> None:
    source = (ROOT / "golden/hostile_strings/airflow.py").read_text()
    constants = _constants(ast.parse(source))
    weird = ("it's \"quoted\"\nline two $(echo pwned) `uname` \\ back\\slash — café ✓ ; "
             "rm -rf /")
    expected = {
        weird,
        "naïve: 'single' & \"double\" \\ % {braces}",
        "help with {{inputs.parameters.x}} and $(id)",
        "a label, {% raw %}{{ run_id }}{% endraw %} and {# no comment #}",
        "{{workflow.uid}} $(whoami) 'q' \"dq\" \\n é",
        "A docstring with {{workflow.name}}, ${HOME}, $(date), 'quotes' \"everywhere\" and "
        "\"\"\".",
    }
    assert expected <= constants, expected - constants


def _templated_strings(tree: ast.AST) -> list[tuple[str, bool]]:
    """(string, wrapped in literal()) for every string constant in a templated argument."""
    found: list[tuple[str, bool]] = []

    def walk(node: ast.AST, wrapped: bool) -> None:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "literal":
            wrapped = True
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.value, wrapped))
        for child in ast.iter_child_nodes(node):
            walk(child, wrapped)

    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in TEMPLATED_FIELDS:
            walk(node.value, False)
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) \
                and node.targets[0].id.isupper():
            walk(node.value, False)  # IMAGE, DATASTORE, ...: used in templated fields
    return found


@pytest.mark.parametrize("operator", ["kubernetes", "local"])
def test_no_user_string_reaches_jinja_unwrapped(operator: str) -> None:
    source = compile_example("hostile_strings", operator=operator,
                             datastore="s3://b/{{ not_a_template }}")
    strings = _templated_strings(ast.parse(source))
    assert strings
    for text, wrapped in strings:
        jinja = any(opener in text for opener in ("{{", "{%", "{#"))
        assert wrapped or not jinja or OWN_TEMPLATES.fullmatch(text), text
    assert ("s3://b/{{ not_a_template }}", True) in strings
    assert ("{{workflow.uid}} $(whoami) 'q' \"dq\" \\n é", True) in strings \
        or operator == "local"


def test_a_template_file_name_is_wrapped_too() -> None:
    source = compile_example("hello", image="registry/flowc.yaml")
    assert 'IMAGE = literal("registry/flowc.yaml")' in source


DAGBAG = """
import json, sys
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
print(json.dumps({"errors": {k: str(v) for k, v in bag.import_errors.items()},
                  "dags": sorted(bag.dags)}))
"""


@pytest.mark.slow
def test_every_golden_imports_through_dagbag(tmp_path: Path) -> None:
    import json

    python = str(airflow_bin("python"))  # fails, naming the install script, when missing

    for golden in GOLDENS:
        (tmp_path / f"{golden.parent.name}.py").write_bytes(golden.read_bytes())
        local = compile_example(golden.parent.name, operator="local", datastore="/srv/flowc")
        (tmp_path / f"{golden.parent.name}_local.py").write_text(
            local.replace("dag_id=", "dag_id=\"local_\" + "))
    environ = {**os.environ, "AIRFLOW_HOME": str(tmp_path / "home"),
               "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    done = subprocess.run([python, "-c", DAGBAG, str(tmp_path)], capture_output=True,
                          text=True, timeout=300, env=environ, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["errors"] == {}
    assert len(result["dags"]) == 2 * len(GOLDENS)
