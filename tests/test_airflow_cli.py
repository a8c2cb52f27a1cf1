"""The real command line: `airflow dags test DAG -c CONF` runs a compiled flow (local-operator
form) in its own process, parsing the dags folder itself, and the typed DAG params given in the
conf reach the start step as the flow's parameters."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from airflow.flows import artifacts, compile_airflow, only_run_id, upload_code
from airflow.harness import dags_test, prepare_home

ROOT = Path(__file__).resolve().parent.parent
PARAMETERS = ROOT / "examples/parameters.py"
CONF = {"greeting": "hi", "count": 2, "ratio": 0.25, "shout": True, "owner": "grace",
        "style": {"sep": "+", "suffix": "?"}, "colors": "red,blue"}

pytestmark = pytest.mark.slow


def dag_id_of(source: str) -> str:
    """The `dag_id=` constant of the module's one DAG (read, not imported: the command imports
    it, and tests/test_airflow_import.py shows every golden imports)."""
    [found] = [keyword.value.value for node in ast.walk(ast.parse(source))
               if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "DAG"
               for keyword in node.keywords
               if keyword.arg == "dag_id" and isinstance(keyword.value, ast.Constant)]
    return str(found)


def test_airflow_dags_test_runs_a_compiled_flow_with_typed_params(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    datastore = tmp_path / "ds"
    datastore.mkdir()
    done = compile_airflow(PARAMETERS, tmp_path / "out", str(datastore), "local")
    assert done.returncode == 0, done.stderr
    upload_code(PARAMETERS, datastore)
    home = prepare_home({"parameters.py": (tmp_path / "out/airflow.py").read_bytes()},
                        tmp_path / "cli", tmp_path_factory.getbasetemp())
    dag_id = dag_id_of((tmp_path / "out/airflow.py").read_text())
    ran = dags_test(home, dag_id, CONF)
    assert ran.returncode == 0, (ran.stdout + ran.stderr)[-6000:]  # exit 1: the run failed
    run_id = only_run_id(datastore, "ParametersFlow")
    assert run_id.startswith("manual__")  # Airflow's run id, as the shim got it
    start = artifacts(datastore, "ParametersFlow", run_id, ["start"])[("start", "t")]
    assert (start["greeting"], start["count"], start["ratio"], start["shout"]) == \
        ("hi", 2, 0.25, True)
    assert start["style"] == {"sep": "+", "suffix": "?"}
    assert start["colors"] == ["red", "blue"] and start["owner"] == "grace"
    assert start["message"] == "HI+HI?" and start["scaled"] == 0.5
