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
