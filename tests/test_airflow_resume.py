"""Resume on Airflow (issue 08 on issue 10's target): a DAG run fails at a late step, the step
is fixed and the DAG redeployed, and a run triggered with the DAG params `flowc.origin_run` and
`flowc.reuse_steps` completes. The reused tasks are cloned by the shim (it says so, without
importing the flow), and the run ends with the artifacts of a clean run of the fixed flow."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from airflow.flows import artifacts, compile_airflow, upload_code
from airflow.harness import run_batch
from flowc.compiler import check_file
from flowc.runtime_shim.datastore import open_datastore
from flowc.runtime_shim.records import TaskStore
from flowc.targets.resume import reused_steps

ROOT = Path(__file__).resolve().parent.parent
STEPS = ["start", "square", "join", "report", "end"]
CLONED = "it finished in the origin run"

pytestmark = pytest.mark.slow


def deployable(folder: Path, datastore: Path, fixed: bool) -> tuple[Path, bytes]:
    """A copy of the late-failure flow (fixed or not), compiled and its code stored."""
    folder.mkdir()
    flow = folder / "late_failure.py"
    shutil.copy(ROOT / "tests/runner_flows/late_failure.py", flow)
    if fixed:
        flow.write_text(flow.read_text().replace("FIXED = False", "FIXED = True"))
    done = compile_airflow(flow, folder / "out", str(datastore), "local")
    assert done.returncode == 0, done.stderr
    upload_code(flow, datastore)
    return flow, (folder / "out/airflow.py").read_bytes()


def test_a_failed_airflow_run_resumes_from_its_failure_point(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    datastore, scratch = tmp_path / "ds", tmp_path_factory.getbasetemp()
    datastore.mkdir()
    _, broken = deployable(tmp_path / "v1", datastore, fixed=False)
    first = run_batch({"late_failure.py": broken}, tmp_path / "b1", scratch,
                      runs_by_file=[("late_failure.py", {})])
    failed = first.run(file="late_failure.py")
    assert failed.state == "failed", failed.explain()
    origin = failed.run_id
    store = TaskStore(open_datastore(str(datastore)), "LateFailureFlow")
    fixed_flow, fixed = deployable(tmp_path / "v2", datastore, fixed=True)
    checked = check_file(fixed_flow).checked
    assert checked is not None
    reuse = reused_steps(checked.graph, lambda step: bool(store.list_tasks(origin, step)))
    assert reuse == ("start", "square", "join")  # the failure point is `report`

    second = run_batch({"late_failure.py": fixed}, tmp_path / "b2", scratch, runs_by_file=[
        ("late_failure.py", {"flowc.origin_run": origin, "flowc.reuse_steps": ",".join(reuse)}),
        ("late_failure.py", {})])
    resumed, clean = second.runs
    assert resumed.state == "success" and clean.state == "success", resumed.explain()
    cloned = {line.split("/")[2] for line in resumed.log.splitlines() if CLONED in line}
    assert cloned == set(reuse), resumed.log[-3000:]
    assert CLONED not in clean.log
    for task in store.list_tasks(origin, "square"):  # a clone points at the origin's blobs
        before = store.read_record(origin, "square", task)
        after = store.read_record(resumed.run_id, "square", task)
        assert before is not None and after is not None
        assert after.artifacts == before.artifacts and after.run_id == resumed.run_id
    assert store.read_record(origin, "report", "t") is None  # the failed run is untouched
    assert artifacts(datastore, "LateFailureFlow", resumed.run_id, STEPS) == \
        artifacts(datastore, "LateFailureFlow", clean.run_id, STEPS)
