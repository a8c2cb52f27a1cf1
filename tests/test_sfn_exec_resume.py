"""Resume on Step Functions (issue 11 part 3): an execution fails at a late step, the step is
fixed, and a new execution of the fixed state machine, whose input names the origin run and
the steps to reuse, completes. The reused tasks are cloned by the shim (one record each), not
run again: their processes say so; the artifacts equal those of a clean run of the fixed flow.
Executed on the SFN harness (tests/sfn), the datastore in moto's S3."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from flowc.compiler import check_file
from flowc.runtime_shim.contracts.run_id import new_run_id
from flowc.runtime_shim.datastore import open_datastore
from flowc.runtime_shim.records import TaskStore
from flowc.targets.resume import reused_steps
from sfn.harness import Execution, run_execution
from test_argo_run import artifacts, upload_code
from test_sfn_run import compile_sfn

ROOT = Path(__file__).resolve().parent.parent
STEPS = ["start", "square", "join", "report", "end"]
CLONED = "it finished in the origin run"

pytestmark = pytest.mark.slow


def _flow(folder: Path, fixed: bool) -> Path:
    folder.mkdir(exist_ok=True)
    flow = folder / "late_failure.py"
    shutil.copy(ROOT / "tests/runner_flows/late_failure.py", flow)
    if fixed:
        flow.write_text(flow.read_text().replace("FIXED = False", "FIXED = True"))
    return flow


def _execute(flow: Path, datastore: str, endpoint: str, workdir: Path,
             execution_input: dict[str, Any]) -> tuple[Execution, str]:
    definition = compile_sfn(flow, datastore, workdir / "compiled")
    upload_code(flow, datastore)  # type: ignore[arg-type]
    run_id = new_run_id()
    return run_execution(definition, execution_input, execution_name=run_id,
                         s3_endpoint=endpoint, workdir=workdir / "sfn"), run_id


def test_a_failed_execution_resumes_from_its_failure_point(
        tmp_path: Path, aws_env: str, s3_url: str) -> None:
    failed, origin = _execute(_flow(tmp_path / "v1", fixed=False), s3_url, aws_env,
                              tmp_path / "w1", {})
    assert (failed.status, failed.error) == ("FAILED", "States.TaskFailed")
    assert [task.state for task in failed.tasks if task.exit_code] == ["report"]
    store = TaskStore(open_datastore(s3_url), "LateFailureFlow")

    fixed_flow = _flow(tmp_path / "v2", fixed=True)
    checked = check_file(fixed_flow).checked
    assert checked is not None
    reuse = reused_steps(checked.graph, lambda step: bool(store.list_tasks(origin, step)))
    assert reuse == ("start", "square", "join")  # the failure point is `report`

    resumed, run_id = _execute(fixed_flow, s3_url, aws_env, tmp_path / "w2",
                               {"origin_run_id": origin, "reuse_steps": ",".join(reuse)})
    assert resumed.status == "SUCCEEDED", resumed.explain()
    assert sorted(task.state for task in resumed.tasks) == sorted(
        ["start", "square", "square", "square", "join", "report", "end"])
    for task in resumed.tasks:
        assert (CLONED in task.stderr) == (task.state in reuse), (task.state, task.stderr)
    for task_id in store.list_tasks(origin, "square"):
        before = store.read_record(origin, "square", task_id)
        after = store.read_record(run_id, "square", task_id)
        assert before is not None and after is not None
        assert after.artifacts == before.artifacts and after.run_id == run_id
    assert store.read_record(origin, "report", "t") is None  # the failed run is untouched

    clean, clean_id = _execute(fixed_flow, s3_url, aws_env, tmp_path / "w3", {})
    assert clean.status == "SUCCEEDED", clean.explain()
    assert not any(CLONED in task.stderr for task in clean.tasks)  # a fresh run reuses nothing
    name = "LateFailureFlow"
    assert artifacts(s3_url, name, run_id, STEPS) == \
        artifacts(s3_url, name, clean_id, STEPS)  # type: ignore[arg-type]
    record = store.read_record(run_id, "end", "t")
    assert record is not None and store.load_artifact(record.artifacts["summary"]) == "total=14"
