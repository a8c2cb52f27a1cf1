"""The flowc side of the Airflow tests: the shim's command for hand-written DAGs, the code
package, a local run to compare with, and the comparison. The comparison helpers are those of
the Argo run tests (tests/test_argo_run.py), so every orchestrator is held to the same rule: the
same tasks, with the same artifacts, as `flowc run`."""

from __future__ import annotations

import fcntl
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flowc.compiler import check_file
from flowc.runtime_shim.datastore import open_datastore
from flowc.runtime_shim.records import TaskStore
from test_argo_run import FLOWC, _comparable, artifacts, local_run, upload_code

__all__ = ["artifacts", "local_run", "upload_code", "shim_argv", "flow_of", "only_run_id",
           "assert_same_artifacts", "record", "compile_airflow", "local_runs_dir"]

# The shim runs with flowc's own python (this process's), never the Airflow venv's.
PYTHON = sys.executable


def shim_argv() -> list[str]:
    return [PYTHON, "-P", "-m", "flowc.runtime_shim"]


def compile_airflow(flow: Path, out_dir: Path, datastore: str, operator: str,
                    *settings: str) -> subprocess.CompletedProcess[str]:
    """`flowc compile FLOW --target airflow -o OUT_DIR` for a test: the given datastore and
    operator form, the shim run by this process's python (flowc's venv, also inside a "pod",
    which is a local process here), a test image. The caller checks the exit code (an example
    the target does not support exits 1 with its FLC2xx diagnostics)."""
    command = [FLOWC, "compile", str(flow), "--target", "airflow", "-o", str(out_dir),
               "--set", f"datastore={datastore}", "--set", f"operator={operator}",
               "--set", f"python={PYTHON}"]
    if operator == "kubernetes":
        command += ["--set", "image=flowc-test:1"]
    for setting in settings:
        command += ["--set", setting]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def flow_of(path: Path) -> Any:
    checked = check_file(path).checked
    assert checked is not None
    return checked.flow


def only_run_id(datastore: Path, flow_name: str) -> str:
    """The one run a datastore holds (an Airflow run id such as `manual__2026-...+00:00`)."""
    runs = sorted(path.name for path in (datastore / flow_name / "runs").iterdir())
    assert len(runs) == 1, runs
    return runs[0]


def assert_same_artifacts(flow_path: Path, datastore: Path | str, run_id: str,
                          local_runs: Path) -> None:
    """The run `run_id` in `datastore` has the tasks and artifacts of a `flowc run` of the same
    flow, made once in `local_runs` (see `local_runs_dir`) and shared by every test that asks."""
    flow = flow_of(flow_path)
    steps = [step.name for step in flow.steps]
    orchestrated = artifacts(datastore, flow.name, run_id, steps)
    local_datastore, local_run_id = shared_local_run(flow_path, local_runs)
    locally = artifacts(local_datastore, flow.name, local_run_id, steps)
    assert set(orchestrated) == set(locally), (
        f"tasks only here: {sorted(set(orchestrated) - set(locally))}, "
        f"only in flowc run: {sorted(set(locally) - set(orchestrated))}")
    for key, values in locally.items():
        assert _comparable(orchestrated[key]) == _comparable(values), key


def local_runs_dir(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A folder for `flowc run`s that every pytest-xdist worker of this session shares (the
    session's root: its workers' base folders are `<root>/popen-gwN`), so that the two operator
    forms, tested side by side, compare with one local run of each flow."""
    base = tmp_path_factory.getbasetemp()
    root = base if worker_id == "master" else base.parent
    folder = root / "airflow-local-runs"
    folder.mkdir(exist_ok=True)
    return folder


def shared_local_run(flow_path: Path, folder: Path) -> tuple[Path, str]:
    """(datastore, run id) of a `flowc run` of the flow in `folder`, made by the first caller;
    the others wait on a lock and reuse it."""
    key = f"{flow_path.parent.name}-{flow_path.stem}"
    with (folder / f"{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = folder / f"{key}.run-id"
        if not done.exists():
            done.write_text(local_run(flow_path, folder / key))
        return folder / key, done.read_text()


def record(datastore: Path | str, flow_name: str, run_id: str, step: str, task_id: str) -> Any:
    found = TaskStore(open_datastore(str(datastore)), flow_name).read_record(run_id, step,
                                                                            task_id)
    assert found is not None, (step, task_id)
    return found
