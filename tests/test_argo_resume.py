"""Resume on Argo (issue 08): a run fails at a late step, the step is fixed, and a new run
submitted from the fixed template with the origin run and the steps to reuse completes. The
reused tasks are cloned by the shim (one record each), not run again: their pods say so and
never import the flow; the artifacts equal those of a clean run of the fixed flow."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flowc.compiler import check_file
from flowc.runtime_shim.datastore import open_datastore
from flowc.runtime_shim.records import TaskStore
from flowc.targets.resume import reused_steps
from test_argo_run import artifacts, compile_argo, submit, upload_code

ROOT = Path(__file__).resolve().parent.parent
STEPS = ["start", "square", "join", "report", "end"]

pytestmark = pytest.mark.slow


def _flow(folder: Path, fixed: bool) -> Path:
    folder.mkdir(exist_ok=True)
    flow = folder / "late_failure.py"
    shutil.copy(ROOT / "tests/runner_flows/late_failure.py", flow)
    if fixed:
        flow.write_text(flow.read_text().replace("FIXED = False", "FIXED = True"))
    return flow


def _submit(flow: Path, datastore: Path, workdir: Path, **arguments: str):
    [template] = compile_argo(flow, datastore)
    upload_code(flow, datastore)
    return submit(template, workdir, arguments, time_scale=0.0, shared_paths=[datastore])


def test_a_failed_argo_run_resumes_from_its_failure_point(tmp_path: Path) -> None:
    datastore = tmp_path / "ds"
    datastore.mkdir()
    failed = _submit(_flow(tmp_path / "v1", fixed=False), datastore, tmp_path / "w1")
    assert failed.phase == "Failed"
    origin = failed.workflow_name
    store = TaskStore(open_datastore(str(datastore)), "LateFailureFlow")

    fixed_flow = _flow(tmp_path / "v2", fixed=True)
    checked = check_file(fixed_flow).checked
    assert checked is not None
    reuse = reused_steps(checked.graph, lambda step: bool(store.list_tasks(origin, step)))
    assert reuse == ("start", "square", "join")  # the failure point is `report`

    resumed = _submit(fixed_flow, datastore, tmp_path / "w2", **{
        "flowc-origin-run": origin, "flowc-reuse-steps": ",".join(reuse)})
    assert resumed.phase == "Succeeded", resumed.message
    for name, node in resumed.nodes.items():
        if node.kind != "Pod":
            continue
        logs = "".join(attempt.logs for attempt in node.attempts)
        step = node.template
        if step in reuse:
            assert "it finished in the origin run" in logs, (name, logs)
        else:
            assert "it finished in the origin run" not in logs, (name, logs)
    # a clone is a record pointing at the origin's blobs: the same artifacts, nothing copied
    for task in store.list_tasks(origin, "square"):
        before = store.read_record(origin, "square", task)
        after = store.read_record(resumed.workflow_name, "square", task)
        assert before is not None and after is not None
        assert after.artifacts == before.artifacts and after.run_id == resumed.workflow_name
    assert store.read_record(origin, "report", "t") is None  # the failed run is untouched

    clean = _submit(fixed_flow, datastore, tmp_path / "w3")
    assert clean.phase == "Succeeded"
    name = "LateFailureFlow"
    assert artifacts(datastore, name, resumed.workflow_name, STEPS) == \
        artifacts(datastore, name, clean.workflow_name, STEPS)
    summary = store.load_artifact(
        store.read_record(resumed.workflow_name, "end", "t").artifacts["summary"])
    assert summary == "total=14"


def test_a_fresh_run_reuses_nothing(tmp_path: Path) -> None:
    """The resume parameters default to empty: a normal submit runs every task."""
    datastore = tmp_path / "ds"
    datastore.mkdir()
    result = _submit(_flow(tmp_path / "v", fixed=True), datastore, tmp_path / "w")
    assert result.phase == "Succeeded"
    logs = "".join(a.logs for node in result.nodes.values() for a in node.attempts)
    assert "origin run" not in logs
