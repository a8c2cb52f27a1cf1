"""`flowc deploy --target argo` against the Argo Server double (tests/argo_server.py, real HTTP
on 127.0.0.1, every body validated against the Argo Server API with unknown fields rejected)
and the code package upload against moto: create, a second deploy that changes nothing, an
update in place, an unschedule that deletes the CronWorkflow, a Sensor with its embedded
Workflow, the bearer token, dry runs and one-line errors."""
# ruff: noqa: F811  (pytest fixtures are imported by name and taken as arguments)

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
import yaml
from argo_server import ArgoServerDouble, argo_server  # noqa: F401  (fixture)
from click.testing import CliRunner, Result

from flowc.cli import main

TOKEN = "s3cret-token"
FLOW = '''"""A scheduled flow with a parameter."""
from flowc import FlowSpec, Parameter, schedule, step

{schedule}
class NightlyFlow(FlowSpec):
    alpha = Parameter("alpha", default={alpha}, type=float, help="the rate")

    @step
    def start(self):
        self.x = self.alpha * 2
        self.next(self.end)

    @step
    def end(self):
        print(self.x)
'''
SCHEDULE = '@schedule(cron="0 3 * * *", timezone="Europe/Paris")'


def write_flow(folder: Path, *, alpha: float = 0.1, schedule: str = SCHEDULE) -> Path:
    path = folder / "nightly.py"
    path.write_text(FLOW.format(schedule=schedule, alpha=alpha), encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path, s3_url: str, argo_server: ArgoServerDouble,
            monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "pyproject.toml").write_text(
        f'[tool.flowc.argo]\nimage = "ghcr.io/x/flowc:1"\ndatastore = "{s3_url}"\n'
        f'server = "{argo_server.url}"\nnamespace = "flows"\n', encoding="utf-8")
    monkeypatch.setenv("ARGO_TOKEN", TOKEN)
    monkeypatch.chdir(folder)
    return write_flow(folder)


def flowc(*args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def compiled(flow: Path) -> dict[str, dict[str, Any]]:
    result = flowc("compile", str(flow), "--target", "argo")
    assert result.exit_code == 0, result.output
    return {doc["kind"]: doc for doc in yaml.safe_load_all(result.stdout_bytes.decode())}


def stored(double: ArgoServerDouble, plural: str, name: str) -> dict[str, Any]:
    return double.objects[(plural, "flows", name)]


def without_server_fields(document: dict[str, Any]) -> dict[str, Any]:
    metadata = {key: value for key, value in document["metadata"].items()
                if key not in ("resourceVersion", "uid", "creationTimestamp", "annotations")}
    return {**document, "metadata": metadata}


def plain(value: Any) -> Any:
    """Scalars as Argo's Go types read them (hera sends an IntOrString 3 as "3")."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def test_deploy_creates_the_template_cron_workflow_and_code_package(
        project: Path, argo_server: ArgoServerDouble, s3_client: Any, s3_url: str) -> None:
    result = flowc("deploy", str(project), "--target", "argo")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("code package ") and "uploaded to" in lines[0]
    assert lines[1:] == [
        "WorkflowTemplate flows/nightly-flow: created",
        "CronWorkflow flows/nightly-flow: created",
        "Sensor flows/nightly-flow: absent",
        f"deployed NightlyFlow to argo at {argo_server.url} (namespace flows)",
    ]
    want = compiled(project)
    template = stored(argo_server, "workflow-templates", "nightly-flow")
    cron = stored(argo_server, "cron-workflows", "nightly-flow")
    assert plain(without_server_fields(template)) == plain(want["WorkflowTemplate"])
    assert plain(without_server_fields(cron)) == plain(want["CronWorkflow"])
    assert cron["spec"]["timezone"] == "Europe/Paris"
    assert template["metadata"]["annotations"]["flowc.dev/fingerprint"]
    assert {r.authorization for r in argo_server.requests} == {f"Bearer {TOKEN}"}
    assert argo_server.writes() == [("POST", "/api/v1/workflow-templates/flows"),
                                    ("POST", "/api/v1/cron-workflows/flows")]
    digest = next(p["value"] for p in template["spec"]["arguments"]["parameters"]
                  if p["name"] == "flowc-code-package")
    bucket, _, prefix = s3_url.removeprefix("s3://").partition("/")
    keys = [item["Key"] for item in
            s3_client.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]]
    assert [key for key in keys if digest in key], keys
    assert TOKEN not in result.output


def test_a_second_deploy_changes_nothing(project: Path, argo_server: ArgoServerDouble) -> None:
    assert flowc("deploy", str(project), "--target", "argo").exit_code == 0
    writes = argo_server.writes()
    again = flowc("deploy", str(project), "--target", "argo")
    assert again.exit_code == 0, again.output
    assert argo_server.writes() == writes  # only GETs the second time
    lines = again.output.splitlines()
    assert "already in" in lines[0]
    assert lines[1:3] == ["WorkflowTemplate flows/nightly-flow: unchanged",
                          "CronWorkflow flows/nightly-flow: unchanged"]
    assert lines[-1].startswith("nothing changed: NightlyFlow is already deployed")


def test_a_changed_flow_updates_in_place_and_an_unscheduled_one_loses_its_cron(
        project: Path, argo_server: ArgoServerDouble) -> None:
    assert flowc("deploy", str(project), "--target", "argo").exit_code == 0
    before = stored(argo_server, "workflow-templates", "nightly-flow")
    write_flow(project.parent, alpha=0.7)
    changed = flowc("deploy", str(project), "--target", "argo")
    assert changed.exit_code == 0, changed.output
    assert "uploaded to" in changed.output.splitlines()[0]  # the code changed: a new package
    assert "WorkflowTemplate flows/nightly-flow: updated" in changed.output
    assert "CronWorkflow flows/nightly-flow: unchanged" in changed.output
    after = stored(argo_server, "workflow-templates", "nightly-flow")
    assert after["metadata"]["resourceVersion"] != before["metadata"]["resourceVersion"]
    alpha = next(p for p in after["spec"]["arguments"]["parameters"] if p["name"] == "alpha")
    assert alpha["value"] == "0.7"
    assert ("PUT", "/api/v1/workflow-templates/flows/nightly-flow") in argo_server.writes()

    write_flow(project.parent, alpha=0.7, schedule="")
    unscheduled = flowc("deploy", str(project), "--target", "argo")
    assert unscheduled.exit_code == 0, unscheduled.output
    assert "CronWorkflow flows/nightly-flow: deleted" in unscheduled.output
    assert ("cron-workflows", "flows", "nightly-flow") not in argo_server.objects
    assert argo_server.writes()[-1] == ("DELETE", "/api/v1/cron-workflows/flows/nightly-flow")
    quiet = flowc("deploy", str(project), "--target", "argo")
    assert "CronWorkflow flows/nightly-flow: absent" in quiet.output
    assert quiet.output.splitlines()[-1].startswith("nothing changed")


def test_a_sensor_keeps_its_embedded_workflow(project: Path,
                                              argo_server: ArgoServerDouble) -> None:
    flow = project.parent / "events.py"
    flow.write_text(Path(__file__).parents[1].joinpath("examples/event_trigger.py").read_text())
    result = flowc("deploy", str(flow), "--target", "argo")
    assert result.exit_code == 0, result.output
    sensor = stored(argo_server, "sensors", "sales-reports-event-trigger-flow")
    want = {k: v for k, v in compiled(flow)["Sensor"].items() if k not in ("apiVersion", "kind")}
    assert plain(without_server_fields(sensor)) == plain(want)
    resource = sensor["spec"]["triggers"][0]["template"]["argoWorkflow"]["source"]["resource"]
    assert resource["spec"]["workflowTemplateRef"]["name"] == "sales-reports-event-trigger-flow"
    again = flowc("deploy", str(flow), "--target", "argo")
    assert "Sensor flows/sales-reports-event-trigger-flow: unchanged" in again.output


def test_the_token_comes_from_a_file_and_a_wrong_one_is_one_line(
        project: Path, argo_server: ArgoServerDouble, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(f"Bearer {TOKEN}\n")
    ok = flowc("deploy", str(project), "--target", "argo", "--set", f"token_file={token_file}",
               env={"ARGO_TOKEN": None})
    assert ok.exit_code == 0, ok.output
    wrong = flowc("deploy", str(project), "--target", "argo", env={"ARGO_TOKEN": "wrong-token"})
    assert wrong.exit_code == 2
    assert "wrong-token" not in wrong.output and TOKEN not in wrong.output
    error = wrong.output.splitlines()[-1]
    assert error.startswith("flowc: error: GET /api/v1/workflow-templates/flows/nightly-flow")
    assert "refused the credentials" in error and "ARGO_TOKEN" in error
    missing = flowc("deploy", str(project), "--target", "argo",
                    "--set", f"token_file={tmp_path / 'none'}", env={"ARGO_TOKEN": None})
    assert missing.exit_code == 2 and "token_file" in missing.output


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_server_is_one_line_exit_3(project: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    result = flowc("deploy", str(project), "--target", "argo", "--set", f"server={url}")
    assert result.exit_code == 3, result.output
    last = result.output.splitlines()[-1]
    assert last.startswith("flowc: error: cannot reach the Argo Server at " + url)
    assert "Traceback" not in result.output and TOKEN not in result.output


def test_dry_run_prints_documents_for_kubectl_and_calls_nothing(
        project: Path, argo_server: ArgoServerDouble, s3_client: Any, s3_bucket: str) -> None:
    result = flowc("deploy", str(project), "--target", "argo", "--dry-run")
    assert result.exit_code == 0, result.output
    assert argo_server.requests == []
    assert "Contents" not in s3_client.list_objects_v2(Bucket=s3_bucket)
    documents = [d for d in yaml.safe_load_all(result.output) if d is not None]
    want = compiled(project)
    assert [d["kind"] for d in documents] == ["WorkflowTemplate", "CronWorkflow"]
    for document in documents:
        annotations = document["metadata"].pop("annotations")
        assert list(annotations) == ["flowc.dev/fingerprint"]
        assert document == want[document["kind"]]
    assert "# Sensor flows/nightly-flow" in result.output
    assert "#   PUT /api/v1/workflow-templates/flows/nightly-flow if it differs" in result.output


def test_dry_run_without_a_server_notes_it_and_exits_2(project: Path) -> None:
    result = flowc("deploy", str(project), "--target", "argo", "--dry-run",
                   "--set", "server=")
    assert result.exit_code == 2
    assert "# a real deploy stops here: missing setting 'server'" in result.output
    error = result.output.splitlines()[-1]
    assert error.startswith("flowc: error: missing setting 'server'")
    assert "[tool.flowc.argo]" in error and "FLOWC_ARGO_SERVER" in error
    real = flowc("deploy", str(project), "--target", "argo", "--set", "server=")
    assert real.exit_code == 2 and real.output.count("\n") == 1


def test_compile_errors_stop_before_anything_is_called(
        project: Path, argo_server: ArgoServerDouble) -> None:
    project.write_text(project.read_text().replace("self.next(self.end)", "pass"))
    result = flowc("deploy", str(project), "--target", "argo")
    assert result.exit_code == 1
    assert "error[FLC" in result.output
    assert argo_server.requests == []


def test_an_unknown_target_is_one_line() -> None:
    result = flowc("deploy", "x.py", "--target", "agro")
    assert result.exit_code == 2
    assert "did you mean 'argo'" in result.output


def test_compiling_never_imports_the_deploy_clients(project: Path) -> None:
    import subprocess
    import sys

    script = ("import sys\nfrom click.testing import CliRunner\nfrom flowc.cli import main\n"
              f"result = CliRunner().invoke(main, ['compile', {str(project)!r}, '-t', 'argo'])\n"
              "assert result.exit_code == 0, result.output\n"
              "print(sorted({m.split('.')[0] for m in sys.modules} & "
              "{'hera', 'boto3', 'requests'}))\n")
    done = subprocess.run([sys.executable, "-P", "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.py"))


@pytest.mark.parametrize("example", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_every_example_deploys_through_the_server_api(
        example: Path, argo_server: ArgoServerDouble, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every body the deploy sends for an example passes the double's strict API check, and a
    second deploy changes nothing."""
    monkeypatch.setenv("ARGO_TOKEN", TOKEN)
    settings = ["--set", f"server={argo_server.url}", "--set", f"datastore={tmp_path}"]
    first = flowc("deploy", str(example), "--target", "argo", *settings)
    if first.exit_code == 1 and "error[FLC2" in first.output:
        pytest.skip("the argo target cannot express this example")
    assert first.exit_code == 0, first.output
    assert argo_server.writes()
    again = flowc("deploy", str(example), "--target", "argo", *settings)
    assert again.output.splitlines()[-1].startswith("nothing changed"), again.output


def test_the_double_rejects_unknown_fields_and_a_missing_token(
        argo_server: ArgoServerDouble) -> None:
    import json
    import urllib.error
    import urllib.request

    def post(body: dict[str, Any], token: str | None = TOKEN) -> tuple[int, str]:
        request = urllib.request.Request(
            f"{argo_server.url}/api/v1/workflow-templates/flows", method="POST",
            data=json.dumps(body).encode(), headers={"Content-Type": "application/json",
                                                     **({"Authorization": f"Bearer {token}"}
                                                        if token else {})})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    template = {"metadata": {"name": "t"}, "spec": {"entrypoint": "main", "templates": []}}
    assert post({"template": {**template, "spec": {**template["spec"], "bogus": 1}}}) == (
        400, json.dumps({"code": 3, "message": "$.template.spec: Additional properties are "
                                               "not allowed ('bogus' was unexpected)"}))
    assert post({"template": template, "extra": True})[0] == 400
    assert post({"template": template}, token=None)[0] == 401
    assert post({"template": template}, token="other")[0] == 401
    assert post({"template": template})[0] == 200
    assert post({"template": template})[0] == 409
