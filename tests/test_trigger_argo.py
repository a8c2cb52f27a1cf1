"""`flowc trigger --target argo`: a Workflow submitted from the deployed template with the
`--param` values (checked against the flow before any call), the run id and where to watch
it printed; a flow that is not deployed, or deployed from other code, is said so."""
# ruff: noqa: F811  (pytest fixtures are imported by name and taken as arguments)

from __future__ import annotations

from pathlib import Path

from argo_server import ArgoServerDouble, argo_server  # noqa: F401  (fixture)
from test_deploy_argo import TOKEN, flowc, project, write_flow  # noqa: F401  (fixture)


def submitted_parameters(double: ArgoServerDouble) -> dict[str, str]:
    body = double.requests[-1].body
    return dict(item.split("=", 1) for item in body["submitOptions"]["parameters"])


def test_trigger_submits_a_workflow_with_the_parameters(
        project: Path, argo_server: ArgoServerDouble) -> None:
    assert flowc("deploy", str(project), "--target", "argo").exit_code == 0
    result = flowc("trigger", str(project), "--target", "argo", "--param", "alpha=0.25")
    assert result.exit_code == 0, result.output
    last = argo_server.requests[-1]
    assert (last.method, last.path) == ("POST", "/api/v1/workflows/flows/submit")
    assert last.authorization == f"Bearer {TOKEN}"
    assert last.body["resourceKind"] == "WorkflowTemplate"
    assert last.body["resourceName"] == "nightly-flow"
    assert submitted_parameters(argo_server) == {"alpha": "0.25"}
    run_id = argo_server.workflows[-1]["metadata"]["name"]
    assert result.output.splitlines() == [
        f"run NightlyFlow/{run_id} submitted: Workflow flows/{run_id} from WorkflowTemplate "
        "nightly-flow",
        f"watch: {argo_server.url}/workflows/flows/{run_id} (or argo watch -n flows {run_id})",
        f"then: flowc show NightlyFlow/{run_id} --datastore "
        + next(line.split('"')[1] for line in
               (project.parent / "pyproject.toml").read_text().splitlines()
               if line.startswith("datastore")),
    ]
    without = flowc("trigger", str(project), "--target", "argo")
    assert without.exit_code == 0, without.output
    assert "submitOptions" not in argo_server.requests[-1].body  # the defaults apply


def test_parameters_are_checked_before_anything_is_called(
        project: Path, argo_server: ArgoServerDouble) -> None:
    for bad, words in ((("alpha=fast",), ("alpha", "float")),
                       (("beta=1",), ("beta",)),
                       (("alpha",), ("alpha",))):
        result = flowc("trigger", str(project), "--target", "argo",
                       *[f"--param={item}" for item in bad])
        assert result.exit_code == 2, result.output
        assert result.output.startswith("flowc: error: ") and result.output.count("\n") == 1
        assert all(word in result.output for word in words), result.output
    assert argo_server.requests == []


def test_a_flow_that_is_not_deployed_is_one_line(project: Path,
                                                 argo_server: ArgoServerDouble) -> None:
    result = flowc("trigger", str(project), "--target", "argo")
    assert result.exit_code == 2
    assert "is not on the Argo Server" in result.output and "flowc deploy" in result.output
    assert argo_server.workflows == []


def test_a_changed_flow_is_noted_and_the_deployed_one_runs(
        project: Path, argo_server: ArgoServerDouble) -> None:
    assert flowc("deploy", str(project), "--target", "argo").exit_code == 0
    write_flow(project.parent, alpha=0.9)
    result = flowc("trigger", str(project), "--target", "argo")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("note: the deployed WorkflowTemplate flows/nightly-flow is "
                                    "not the one this file compiles to")
    assert len(argo_server.workflows) == 1


def test_dry_run_prints_the_submit_request_and_calls_nothing(
        project: Path, argo_server: ArgoServerDouble) -> None:
    import json

    result = flowc("trigger", str(project), "--target", "argo", "--param", "alpha=0.5",
                   "--dry-run")
    assert result.exit_code == 0, result.output
    assert argo_server.requests == []
    lines = result.output.splitlines()
    assert lines[2] == "# POST /api/v1/workflows/flows/submit"
    assert json.loads("\n".join(lines[3:])) == {
        "namespace": "flows", "resourceKind": "WorkflowTemplate", "resourceName": "nightly-flow",
        "submitOptions": {"parameters": ["alpha=0.5"]}}
    unset = flowc("trigger", str(project), "--target", "argo", "--dry-run", "--set", "server=")
    assert unset.exit_code == 2
    assert "# a real trigger stops here: missing setting 'server'" in unset.output
