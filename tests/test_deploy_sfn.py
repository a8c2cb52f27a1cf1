"""Deploying to Step Functions against moto_server (real HTTP on 127.0.0.1, boto3 through
AWS_ENDPOINT_URL): afterwards the state machine, the EventBridge Scheduler schedule (with its
timezone) and the code package exist with the expected content; a second deploy is a no-op, a
changed flow updates in place, an unscheduled flow loses its schedule, and a trigger starts
an execution with `{"parameters": ...}`.

The definition and schedule are the sfn target's own compile output.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from flowc.targets.deploy import DeployError, sfn
from flowc.targets.deploy.code import Prepared
from flowc.targets.deploy.plan import Outcome, dry_run_lines, run

ROLE = "arn:aws:iam::123456789012:role/flowc-sfn"
SCHEDULER_ROLE = "arn:aws:iam::123456789012:role/flowc-scheduler"
FLOW = '''from flowc import FlowSpec, Parameter, schedule, step

{schedule}
class NightlyFlow(FlowSpec):
    """{doc}"""
    alpha = Parameter("alpha", default={alpha}, type=float)
    label = Parameter("label", default="x")

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
'''
SCHEDULE = '@schedule(cron="0 3 * * *", timezone="Europe/Paris")'


@pytest.fixture
def endpoint(aws_env: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The moto endpoint for every AWS client, emptied first (the server lives for the session;
    request this fixture before the bucket fixtures, which the reset would empty too)."""
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{aws_env}/moto-api/reset", method="POST"),
                           timeout=10).close()
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_env)
    return aws_env


def write_flow(folder: Path, datastore: str, *, alpha: float = 0.1, doc: str = "v1",
               scheduled: bool = True) -> Path:
    (folder / "pyproject.toml").write_text(
        f'[tool.flowc.sfn]\ndatastore = "{datastore}"\njob_queue = "q"\njob_definition = "d"\n'
        f'region = "us-east-1"\naccount = "123456789012"\nscheduler_role = "{SCHEDULER_ROLE}"\n')
    path = folder / "nightly.py"
    path.write_text(FLOW.format(alpha=alpha, doc=doc, schedule=SCHEDULE if scheduled else ""))
    return path


def prepare(folder: Path, datastore: str, *, role_arn: str | None = ROLE,
            **flow: Any) -> Prepared:
    """What `flowc deploy FILE --target sfn` deploys: the sfn target's own compile output."""
    from flowc.commands.deploy import prepare as prepare_for

    prepared, _ = prepare_for(write_flow(folder, datastore, **flow), "sfn", None, {})
    return dataclasses.replace(prepared, settings=dataclasses.replace(
        prepared.settings, role_arn=role_arn))


def deploy(prepared: Prepared) -> tuple[tuple[Outcome, ...], list[str]]:
    lines: list[str] = []
    outcomes = run(sfn.deployment(prepared, {}), lines.append)
    return outcomes, lines


def machine(endpoint: str) -> dict[str, Any]:
    import boto3

    client = boto3.client("stepfunctions", endpoint_url=endpoint)
    arn = client.list_state_machines()["stateMachines"][0]["stateMachineArn"]
    return client.describe_state_machine(stateMachineArn=arn)


def test_deploy_creates_the_state_machine_schedule_and_code_package(
        endpoint: str, s3_url: str, s3_client: Any, s3_bucket: str, tmp_path: Path) -> None:
    import boto3

    prepared = prepare(tmp_path, s3_url)
    outcomes, lines = deploy(prepared)
    assert outcomes == (Outcome.CREATED, Outcome.CREATED, Outcome.CREATED)
    assert lines[1:] == ["state machine NightlyFlow: created", "schedule default/NightlyFlow: "
                         "created", "deployed NightlyFlow to Step Functions as NightlyFlow"]
    described = machine(endpoint)
    assert json.loads(described["definition"]) == json.loads(prepared.files["sfn.json"])
    assert described["roleArn"] == ROLE and described["name"] == "NightlyFlow"
    got = boto3.client("scheduler", endpoint_url=endpoint).get_schedule(Name="NightlyFlow")
    assert got["ScheduleExpression"] == "cron(0 3 * * ? *)"
    assert got["Target"]["Input"] == json.dumps({"parameters": {"alpha": "0.1", "label": "x"}},
                                                sort_keys=True)
    assert got["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert got["Target"]["Arn"] == described["stateMachineArn"]
    assert got["Target"]["RoleArn"] == SCHEDULER_ROLE
    keys = [o["Key"] for o in s3_client.list_objects_v2(Bucket=s3_bucket)["Contents"]]
    assert any(prepared.code_package in key for key in keys), keys

    again_outcomes, again = deploy(prepare(tmp_path, s3_url))
    assert again_outcomes == (Outcome.UNCHANGED,) * 3
    assert again[-1] == "nothing changed: NightlyFlow is already deployed as it is to Step " \
                        "Functions as NightlyFlow"


def test_a_changed_flow_updates_and_an_unscheduled_one_loses_its_schedule(
        endpoint: str, s3_url: str, tmp_path: Path) -> None:
    import boto3

    deploy(prepare(tmp_path, s3_url))
    before = machine(endpoint)
    changed = prepare(tmp_path, s3_url, doc="v2")  # new code: a new package digest
    outcomes, _ = deploy(changed)
    assert outcomes == (Outcome.CREATED, Outcome.UPDATED, Outcome.UNCHANGED)
    after = machine(endpoint)
    assert after["stateMachineArn"] == before["stateMachineArn"]
    assert json.loads(after["definition"]) == json.loads(changed.files["sfn.json"])
    assert changed.code_package in after["definition"] != before["definition"]
    # a new default changes the schedule's input too
    outcomes, _ = deploy(prepare(tmp_path, s3_url, alpha=0.5, doc="v2"))
    assert outcomes == (Outcome.CREATED, Outcome.UPDATED, Outcome.UPDATED)
    scheduler = boto3.client("scheduler", endpoint_url=endpoint)
    got = scheduler.get_schedule(Name="NightlyFlow")
    assert json.loads(got["Target"]["Input"])["parameters"]["alpha"] == "0.5"
    assert got["ScheduleExpressionTimezone"] == "Europe/Paris"

    outcomes, lines = deploy(prepare(tmp_path, s3_url, alpha=0.5, doc="v2",
                                     scheduled=False))
    assert outcomes == (Outcome.CREATED, Outcome.UPDATED, Outcome.DELETED)  # new source
    assert "schedule default/NightlyFlow: deleted" in lines
    assert scheduler.list_schedules()["Schedules"] == []
    outcomes, _ = deploy(prepare(tmp_path, s3_url, alpha=0.5, doc="v2", scheduled=False))
    assert outcomes == (Outcome.UNCHANGED, Outcome.UNCHANGED, Outcome.ABSENT)


def test_trigger_starts_an_execution_with_the_parameters(endpoint: str, s3_url: str,
                                                         tmp_path: Path) -> None:
    import boto3

    prepared = prepare(tmp_path, s3_url)
    with pytest.raises(DeployError, match="does not exist: deploy it first"):
        sfn.trigger(prepared, [("alpha", "0.25")], {})
    deploy(prepared)
    triggered = sfn.trigger(prepared, [("alpha", "0.25")], {})
    client = boto3.client("stepfunctions", endpoint_url=endpoint)
    arn = client.list_state_machines()["stateMachines"][0]["stateMachineArn"]
    executions = client.list_executions(stateMachineArn=arn)["executions"]
    assert [e["name"] for e in executions] == [triggered.run_id]
    started = client.describe_execution(executionArn=executions[0]["executionArn"])
    assert json.loads(started["input"]) == {"parameters": {"alpha": "0.25"}}
    assert triggered.lines[0].startswith(f"run NightlyFlow/{triggered.run_id} started: ")
    assert triggered.lines[-1] == f"then: flowc show NightlyFlow/{triggered.run_id} " \
                                  f"--datastore {s3_url}"


def test_a_missing_role_is_named_and_dry_run_calls_nothing(endpoint: str, s3_url: str,
                                                           tmp_path: Path) -> None:
    import boto3

    prepared = prepare(tmp_path, s3_url, role_arn=None)
    deployment = sfn.deployment(prepared, {})
    with pytest.raises(DeployError, match=r"missing setting 'role_arn'.*\[tool\.flowc\.sfn\]"
                                          r".*FLOWC_SFN_ROLE_ARN"):
        run(deployment, print)
    lines = list(dry_run_lines(deployment))
    assert lines[-1].startswith("# a real deploy stops here: missing setting 'role_arn'")
    assert any(line.startswith("#   scheduler:GetSchedule") for line in lines)
    assert boto3.client("stepfunctions", endpoint_url=endpoint).list_state_machines()[
        "stateMachines"] == []


def test_an_unreachable_endpoint_is_exit_3(aws_env: str, monkeypatch: pytest.MonkeyPatch,
                                           s3_url: str, tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    prepared = dataclasses.replace(prepare(tmp_path, s3_url), package_given=True)
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with pytest.raises(DeployError) as caught:
        run(sfn.deployment(prepared, {}), print)
    assert caught.value.exit_code == 3
    assert "cannot reach" in str(caught.value) and "\n" not in str(caught.value)


def test_the_cli_dry_run_names_the_missing_role_and_trigger_starts_a_run(
        endpoint: str, s3_url: str, tmp_path: Path) -> None:
    import boto3
    from click.testing import CliRunner

    from flowc.cli import main

    flow = write_flow(tmp_path, s3_url)
    dry = CliRunner().invoke(main, ["deploy", str(flow), "--target", "sfn", "--dry-run"])
    assert dry.exit_code == 2, dry.output
    assert "#   states:CreateStateMachine name=NightlyFlow" in dry.output
    assert '"ScheduleExpressionTimezone": "Europe/Paris"' in dry.output
    assert "# a real deploy stops here: missing setting 'role_arn'" in dry.output
    assert dry.output.splitlines()[-1].startswith("flowc: error: missing setting 'role_arn'")
    client = boto3.client("stepfunctions", endpoint_url=endpoint)
    assert client.list_state_machines()["stateMachines"] == []

    deploy(prepare(tmp_path, s3_url))
    dry_trigger = CliRunner().invoke(main, ["trigger", str(flow), "--target", "sfn",
                                            "--param", "alpha=0.25", "--dry-run"])
    assert dry_trigger.exit_code == 0, dry_trigger.output
    assert "# states:StartExecution name=(a new run id) input=" in dry_trigger.output
    result = CliRunner().invoke(main, ["trigger", str(flow), "--target", "sfn",
                                       "--param", "alpha=0.25"])
    assert result.exit_code == 0, result.output
    arn = client.list_state_machines()["stateMachines"][0]["stateMachineArn"]
    [execution] = client.list_executions(stateMachineArn=arn)["executions"]
    assert result.output.startswith(f"run NightlyFlow/{execution['name']} started: ")
    bad = CliRunner().invoke(main, ["trigger", str(flow), "--target", "sfn",
                                    "--param", "alpha=fast"])
    assert bad.exit_code == 2 and len(client.list_executions(stateMachineArn=arn)[
        "executions"]) == 1


def test_resume_on_sfn_starts_an_execution_that_reuses_the_finished_steps(
        endpoint: str, s3_url: str, tmp_path: Path) -> None:
    import shutil

    import boto3
    from click.testing import CliRunner

    from flowc.cli import main

    write_flow(tmp_path, s3_url)  # the pyproject.toml with the sfn settings
    flow = tmp_path / "late.py"
    shutil.copy(Path(__file__).parent / "runner_flows/late_failure.py", flow)
    failed = CliRunner().invoke(main, ["run", str(flow), "--datastore", s3_url,
                                       "--run-id", "origin-1"])
    assert failed.exit_code == 1, failed.output
    flow.write_text(flow.read_text().replace("FIXED = False", "FIXED = True"))
    from flowc.commands.deploy import prepare as prepare_for

    late, _ = prepare_for(flow, "sfn", None, {})
    settings = dataclasses.replace(late.settings, role_arn=ROLE)
    run(sfn.deployment(dataclasses.replace(late, settings=settings), {}), print)
    result = CliRunner().invoke(main, ["resume", "origin-1", str(flow), "--target", "sfn"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        "resuming LateFailureFlow/origin-1 on sfn: re-running from report; reusing start, "
        "square, join")
    client = boto3.client("stepfunctions", endpoint_url=endpoint)
    machines = {m["name"]: m["stateMachineArn"] for m in
                client.list_state_machines()["stateMachines"]}
    [execution] = client.list_executions(stateMachineArn=machines["LateFailureFlow"])[
        "executions"]
    started = client.describe_execution(executionArn=execution["executionArn"])
    assert json.loads(started["input"]) == {"parameters": {}, "origin_run_id": "origin-1",
                                            "reuse_steps": "start,square,join"}
