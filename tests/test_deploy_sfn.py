"""Deploying to Step Functions against moto_server (real HTTP on 127.0.0.1, boto3 through
AWS_ENDPOINT_URL): afterwards the state machine, the EventBridge Scheduler schedule (with its
timezone) and the code package exist with the expected content; a second deploy is a no-op, a
changed flow updates in place, an unscheduled flow loses its schedule, and a trigger starts
an execution with `{"parameters": ...}`.

The definition files are given here as the sfn emitter writes them (`sfn.json`,
`sfn.schedule.json`), so the deploy module is tested on its own.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flowc.compiler import check_file
from flowc.compiler.ir import dumps
from flowc.targets.deploy import DeployError, sfn
from flowc.targets.deploy.code import Prepared
from flowc.targets.deploy.plan import Outcome, dry_run_lines, run
from flowc.targets.package import package_digest

ROLE = "arn:aws:iam::123456789012:role/flowc-sfn"
FLOW = '''from flowc import FlowSpec, Parameter, step

class NightlyFlow(FlowSpec):
    alpha = Parameter("alpha", default={alpha}, type=float)
    label = Parameter("label", default="x")

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
'''


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    datastore: str
    role_arn: str | None = ROLE
    schedule_role_arn: str | None = None
    code_package: str | None = None


def definition(comment: str) -> bytes:
    return json.dumps({"Comment": comment, "StartAt": "start",
                       "States": {"start": {"Type": "Pass", "End": True}}}).encode()


def schedule(cron: str = "cron(0 3 * * ? *)", timezone: str = "Europe/Paris") -> bytes:
    return json.dumps({"ScheduleExpression": cron, "ScheduleExpressionTimezone": timezone,
                       "FlexibleTimeWindow": {"Mode": "OFF"},
                       "Target": {"Input": json.dumps({"parameters": {}})}}).encode()


@pytest.fixture
def endpoint(aws_env: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The moto endpoint for every AWS client, emptied first (the server lives for the session;
    request this fixture before the bucket fixtures, which the reset would empty too)."""
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{aws_env}/moto-api/reset", method="POST"),
                           timeout=10).close()
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_env)
    return aws_env


def prepare(folder: Path, datastore: str, *, alpha: float = 0.1, comment: str = "v1",
            scheduled: bool = True, **settings: Any) -> Prepared:
    path = folder / "nightly.py"
    path.write_text(FLOW.format(alpha=alpha))
    checked = check_file(path).checked
    packaged = check_file(path, root=folder).checked
    assert checked is not None and packaged is not None
    ir = dumps(packaged.flow)
    files = {"sfn.json": definition(comment)}
    if scheduled:
        files["sfn.schedule.json"] = schedule()
    return Prepared(target="sfn", checked=checked, files=files,
                    settings=Settings(datastore=datastore, **settings), flow_file=path,
                    package_ir=ir, code_package=package_digest(folder, ir))


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
    assert json.loads(described["definition"]) == json.loads(definition("v1"))
    assert described["roleArn"] == ROLE and described["name"] == "NightlyFlow"
    got = boto3.client("scheduler", endpoint_url=endpoint).get_schedule(Name="NightlyFlow")
    assert got["ScheduleExpression"] == "cron(0 3 * * ? *)"
    assert got["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert got["Target"]["Arn"] == described["stateMachineArn"]
    assert got["Target"]["RoleArn"] == ROLE
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
    outcomes, _ = deploy(prepare(tmp_path, s3_url, alpha=0.5, comment="v2"))
    assert outcomes == (Outcome.CREATED, Outcome.UPDATED, Outcome.UNCHANGED)
    after = machine(endpoint)
    assert after["stateMachineArn"] == before["stateMachineArn"]
    assert json.loads(after["definition"])["Comment"] == "v2"

    outcomes, lines = deploy(prepare(tmp_path, s3_url, alpha=0.5, comment="v2",
                                     scheduled=False))
    assert outcomes == (Outcome.UNCHANGED, Outcome.UNCHANGED, Outcome.DELETED)
    assert "schedule default/NightlyFlow: deleted" in lines
    scheduler = boto3.client("scheduler", endpoint_url=endpoint)
    assert scheduler.list_schedules()["Schedules"] == []
    outcomes, _ = deploy(prepare(tmp_path, s3_url, alpha=0.5, comment="v2", scheduled=False))
    assert outcomes[-1] is Outcome.ABSENT


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
    assert json.loads(started["input"]) == {"parameters": {"alpha": "0.25", "label": "x"}}
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
