"""`flowc resume RUN FILE --target argo`: the origin run's records are read from the target's
S3 datastore (moto), the steps to reuse follow targets/resume.py, and a Workflow is submitted
to the Argo Server double with `flowc-origin-run` and `flowc-reuse-steps` (that such a
Workflow clones instead of running is tests/test_argo_resume.py's, on the Argo executor)."""
# ruff: noqa: F811  (pytest fixtures are imported by name and taken as arguments)

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from argo_server import ArgoServerDouble, argo_server  # noqa: F401  (fixture)
from test_deploy_argo import flowc, project  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def failed_run(project: Path, s3_url: str) -> Path:
    """A local run of late_failure.py into the Argo target's datastore that fails at `report`,
    then the fixed flow deployed to the double; yields the fixed flow's file."""
    flow = project.parent / "late.py"
    shutil.copy(ROOT / "tests/runner_flows/late_failure.py", flow)
    failed = flowc("run", str(flow), "--datastore", s3_url, "--run-id", "origin-1")
    assert failed.exit_code == 1, failed.output
    flow.write_text(flow.read_text().replace("FIXED = False", "FIXED = True"))
    deployed = flowc("deploy", str(flow), "--target", "argo")
    assert deployed.exit_code == 0, deployed.output
    return flow


def submitted(double: ArgoServerDouble) -> dict[str, str]:
    last = double.requests[-1]
    assert (last.method, last.path) == ("POST", "/api/v1/workflows/flows/submit")
    return dict(item.split("=", 1) for item in last.body["submitOptions"]["parameters"])


def test_resume_on_argo_reuses_the_steps_before_the_failure(
        failed_run: Path, argo_server: ArgoServerDouble) -> None:
    result = flowc("resume", "origin-1", str(failed_run), "--target", "argo")
    assert result.exit_code == 0, result.output
    assert submitted(argo_server) == {"flowc-origin-run": "origin-1",
                                      "flowc-reuse-steps": "start,square,join"}
    lines = result.output.splitlines()
    assert lines[0] == ("resuming LateFailureFlow/origin-1 on argo: re-running from report; "
                        "reusing start, square, join")
    assert lines[1].startswith("run LateFailureFlow/late-failure-flow-")

    earlier = flowc("resume", "LateFailureFlow/origin-1/join", str(failed_run), "--target", "argo")
    assert earlier.exit_code == 0, earlier.output
    assert submitted(argo_server)["flowc-reuse-steps"] == "start,square"
    first = flowc("resume", "origin-1", str(failed_run), "--target", "argo", "--from", "start")
    assert submitted(argo_server)["flowc-reuse-steps"] == ""
    assert "reusing nothing" in first.output


def test_resume_on_argo_refuses_what_it_cannot_do(failed_run: Path,
                                                  argo_server: ArgoServerDouble) -> None:
    count = len(argo_server.workflows)
    for args, words in (
            (("origin-2", str(failed_run)), "no run LateFailureFlow/origin-2"),
            (("origin-1", str(failed_run), "--from", "nope"), "no step named 'nope'"),
            (("origin-1",), "needs the flow FILE"),
            (("origin-1", str(failed_run), "--datastore", "/x"), "--datastore and --max-workers"),
    ):
        result = flowc("resume", *args, "--target", "argo")
        assert result.exit_code == 2, (args, result.output)
        assert words in result.output and result.output.count("\n") == 1, result.output
    assert len(argo_server.workflows) == count
    local_set = flowc("resume", "origin-1", "--set", "server=x")
    assert local_set.exit_code == 2 and "--set is for resuming" in local_set.output


@pytest.mark.slow
def test_deploy_run_fail_fix_resume_on_the_argo_executor(
        argo_server: ArgoServerDouble, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end: the template flowc deploy put on the server runs on the Argo test executor
    and fails late; the fixed flow is deployed; `flowc resume --target argo` submits, and the
    Workflow it asked for (run on the executor from the updated template) clones the finished
    tasks and completes."""
    import sys

    from argo.executor import run_workflow
    from flowc.runtime_shim.datastore import open_datastore
    from flowc.runtime_shim.records import TaskStore
    from test_argo_run import artifacts

    datastore, folder = tmp_path / "ds", tmp_path / "proj"
    datastore.mkdir()
    folder.mkdir()
    (folder / "pyproject.toml").write_text(
        f'[tool.flowc.argo]\nimage = "local"\ndatastore = "{datastore}"\n'
        f'python = "{sys.executable}"\nserver = "{argo_server.url}"\n')
    monkeypatch.setenv("ARGO_TOKEN", "s3cret-token")
    flow = folder / "late.py"
    shutil.copy(ROOT / "tests/runner_flows/late_failure.py", flow)

    def run_deployed(workdir: Path, arguments: dict[str, str]) -> object:
        template = argo_server.objects[("workflow-templates", "default", "late-failure-flow")]
        workflow = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
                    "metadata": {"generateName": "late-failure-flow-"},
                    "spec": {"workflowTemplateRef": {"name": "late-failure-flow"}}}
        return run_workflow(workflow, arguments, workdir=workdir, templates=[template],
                            time_scale=0.0, shared_paths=[datastore])

    assert flowc("deploy", str(flow), "--target", "argo").exit_code == 0
    failed = run_deployed(tmp_path / "w1", {})
    assert failed.phase == "Failed"
    origin = failed.workflow_name

    flow.write_text(flow.read_text().replace("FIXED = False", "FIXED = True"))
    redeployed = flowc("deploy", str(flow), "--target", "argo")
    assert "WorkflowTemplate default/late-failure-flow: updated" in redeployed.output
    resumed_cli = flowc("resume", origin, str(flow), "--target", "argo")
    assert resumed_cli.exit_code == 0, resumed_cli.output
    resumed = run_deployed(tmp_path / "w2", submitted_all(argo_server))
    assert resumed.phase == "Succeeded", resumed.message
    for node in resumed.nodes.values():
        if node.kind == "Pod":
            logs = "".join(attempt.logs for attempt in node.attempts)
            cloned = "it finished in the origin run" in logs
            assert cloned == (node.template in ("start", "square", "join")), node.template
    store = TaskStore(open_datastore(str(datastore)), "LateFailureFlow")
    summary = store.load_artifact(
        store.read_record(resumed.workflow_name, "end", "t").artifacts["summary"])
    assert summary == "total=14"
    # runs on the orchestrator read like local ones
    runs = flowc("runs", "LateFailureFlow", "--datastore", str(datastore))
    assert runs.exit_code == 0, runs.output
    assert origin in runs.output and resumed.workflow_name in runs.output
    shown = flowc("show", f"LateFailureFlow/{resumed.workflow_name}/end", "--datastore",
                  str(datastore))
    assert shown.exit_code == 0 and "total=14" in shown.output, shown.output
    clean = run_deployed(tmp_path / "w3", {})
    steps = ["start", "square", "join", "report", "end"]
    assert artifacts(datastore, "LateFailureFlow", resumed.workflow_name, steps) == \
        artifacts(datastore, "LateFailureFlow", clean.workflow_name, steps)


def submitted_all(double: ArgoServerDouble) -> dict[str, str]:
    return dict(item.split("=", 1) for item in
                double.requests[-1].body["submitOptions"]["parameters"])
