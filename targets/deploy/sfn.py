"""Deploying to and triggering on AWS Step Functions: the compiled `sfn.json` becomes a
STANDARD state machine (created, or updated in place when its definition or role changed),
`sfn.schedule.json` an EventBridge Scheduler schedule (with its timezone) that starts it, and
a schedule the flow no longer has is deleted. A trigger starts an execution named by a fresh
run id with `{"parameters": {...}}` as its input.

Settings (docs/deploy.md): `role_arn` (the role the state machine runs as); the schedule's
expression, timezone, target and role (`scheduler_role`) are the compiled
`sfn.schedule.json`'s, its target ARN the one the state machine has; the region and
credentials are boto3's, and `AWS_ENDPOINT_URL` is honoured.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from flowc.targets.deploy.aws import NotFound, call, client
from flowc.targets.deploy.code import CodePackage, Prepared, parameter_values
from flowc.targets.deploy.errors import DeployError, missing_setting
from flowc.targets.deploy.plan import Deployment, Found, Resource, Triggered, fingerprint

DEFINITION_FILE = "sfn.json"
SCHEDULE_FILE = "sfn.schedule.json"
SCHEDULE_FIELDS = ("ScheduleExpression", "ScheduleExpressionTimezone", "FlexibleTimeWindow",
                   "State", "Description")


def names(prepared: Prepared) -> tuple[str, str]:
    """The state machine's and the schedule's names, as the sfn target gives them."""
    from flowc.targets.lower import lower
    from flowc.targets.sfn.names import SfnNames

    found = SfnNames.of(lower(prepared.checked))
    return found.state_machine, found.schedule


class StateMachine(Resource):
    kind = "state machine"

    def __init__(self, name: str, definition: str, role_arn: str | None) -> None:
        self.machine = name
        self.definition = definition
        self.role_arn = role_arn
        self.arn: str | None = None
        self.deployed_definition: Any = None

    @property
    def name(self) -> str:
        return self.machine

    @property
    def wanted_fingerprint(self) -> str:
        return fingerprint({"definition": json.loads(self.definition), "roleArn": self.role_arn})

    def planned_calls(self) -> tuple[str, ...]:
        return (f"states:ListStateMachines (find {self.machine}), states:DescribeStateMachine",
                f"states:CreateStateMachine name={self.machine} type=STANDARD "
                f"roleArn={self.role_arn or '(role_arn not set)'} if it does not exist",
                "states:UpdateStateMachine if its definition or role differ")

    def shown(self) -> str:
        return json.dumps(json.loads(self.definition), indent=2, ensure_ascii=False)

    def read(self) -> Found | None:
        sfn = client("stepfunctions")
        pages = call("states:ListStateMachines",
                     lambda: list(sfn.get_paginator("list_state_machines").paginate()))
        arn = next((machine["stateMachineArn"] for page in pages
                    for machine in page["stateMachines"] if machine["name"] == self.machine),
                   None)
        if arn is None:
            return None
        self.arn = arn
        try:
            described = call(f"states:DescribeStateMachine {self.machine}",
                             lambda: sfn.describe_state_machine(stateMachineArn=arn),
                             missing_ok=True)
        except NotFound:
            return None
        self.deployed_definition = json.loads(described["definition"])
        current = fingerprint({"definition": self.deployed_definition,
                               "roleArn": described.get("roleArn")})
        return Found(fingerprint=current, handle=arn)

    def create(self) -> None:
        sfn = client("stepfunctions")
        created = call(f"states:CreateStateMachine {self.machine}",
                       lambda: sfn.create_state_machine(
                           name=self.machine, definition=self.definition,
                           roleArn=self.role_arn, type="STANDARD",
                           tags=[{"key": "managed-by", "value": "flowc"}]))
        self.arn = created["stateMachineArn"]

    def update(self, found: Found) -> None:
        sfn = client("stepfunctions")
        call(f"states:UpdateStateMachine {self.machine}",
             lambda: sfn.update_state_machine(stateMachineArn=found.handle,
                                              definition=self.definition,
                                              roleArn=self.role_arn))


class Schedule(Resource):
    """The EventBridge Scheduler schedule that starts the state machine (`request` None: the
    flow has no @schedule, and an existing one is deleted)."""

    kind = "schedule"

    def __init__(self, name: str, group: str, request: dict[str, Any] | None,
                 machine: StateMachine, role_arn: str | None) -> None:
        self.schedule = name
        self.group = group
        self.request = request
        self.machine = machine
        self.role_arn = role_arn

    @property
    def name(self) -> str:
        return f"{self.group}/{self.schedule}"

    @property
    def wanted(self) -> bool:
        return self.request is not None

    def _wanted(self, arn: str | None) -> dict[str, Any]:
        assert self.request is not None
        wanted = {key: self.request[key] for key in SCHEDULE_FIELDS if key in self.request}
        wanted.setdefault("FlexibleTimeWindow", {"Mode": "OFF"})
        wanted.setdefault("State", "ENABLED")
        target = dict(self.request.get("Target") or {})
        if arn:  # the ARN the state machine has (the compiled one is built from settings)
            target["Arn"] = arn
        if self.role_arn:
            target["RoleArn"] = self.role_arn
        wanted["Target"] = target
        return wanted

    @property
    def wanted_fingerprint(self) -> str:
        return _schedule_fingerprint(self._wanted(self.machine.arn))

    def planned_calls(self) -> tuple[str, ...]:
        get = f"scheduler:GetSchedule Name={self.schedule} GroupName={self.group}"
        if self.request is None:
            return (get, "scheduler:DeleteSchedule if it exists (the flow has no @schedule)")
        return (get, "scheduler:CreateSchedule if it does not exist",
                "scheduler:UpdateSchedule if it differs")

    def shown(self) -> str | None:
        if self.request is None:
            return None
        request = {"Name": self.schedule, "GroupName": self.group,
                   **{k: v for k, v in self._wanted(None).items() if k != "Name"}}
        return json.dumps(request, indent=2, ensure_ascii=False)

    def read(self) -> Found | None:
        scheduler = client("scheduler")
        try:
            current = call(f"scheduler:GetSchedule {self.name}",
                           lambda: scheduler.get_schedule(Name=self.schedule,
                                                          GroupName=self.group),
                           missing_ok=True)
        except NotFound:
            return None
        return Found(fingerprint=_schedule_fingerprint(current))

    def create(self) -> None:
        scheduler = client("scheduler")
        wanted = self._wanted(self.machine.arn)
        call(f"scheduler:CreateSchedule {self.name}",
             lambda: scheduler.create_schedule(Name=self.schedule, GroupName=self.group,
                                               **wanted))

    def update(self, found: Found) -> None:
        scheduler = client("scheduler")
        wanted = self._wanted(self.machine.arn)
        call(f"scheduler:UpdateSchedule {self.name}",
             lambda: scheduler.update_schedule(Name=self.schedule, GroupName=self.group,
                                               **wanted))

    def delete(self, found: Found) -> None:
        scheduler = client("scheduler")
        call(f"scheduler:DeleteSchedule {self.name}",
             lambda: scheduler.delete_schedule(Name=self.schedule, GroupName=self.group))


def _schedule_fingerprint(schedule: Mapping[str, Any]) -> str:
    target = schedule.get("Target") or {}
    return fingerprint({
        **{key: schedule.get(key) for key in SCHEDULE_FIELDS if key != "Description"},
        "Target": {key: target.get(key) for key in ("Arn", "RoleArn", "Input")},
    })


def _roles(prepared: Prepared) -> tuple[str | None, str | None, list[str]]:
    """The state machine's role, the scheduler's role (None: the compiled schedule's), and
    what is missing."""
    settings = prepared.settings
    role = settings.role_arn
    missing = [] if role else [missing_setting(
        "sfn", "role_arn", "the IAM role ARN the state machine runs as")]
    return role, settings.scheduler_role, missing


def _machine(prepared: Prepared, role: str | None) -> StateMachine:
    definition = prepared.files[DEFINITION_FILE].decode("utf-8")
    return StateMachine(names(prepared)[0], definition, role)


def deployment(prepared: Prepared, environ: Mapping[str, str]) -> Deployment:
    """The code package, the state machine, then its schedule."""
    raw = prepared.files.get(SCHEDULE_FILE)
    request = json.loads(raw) if raw is not None else None
    role, scheduler_role, missing = _roles(prepared)
    machine = _machine(prepared, role)
    group = str((request or {}).get("GroupName") or "default")
    resources: list[Resource] = []
    if not prepared.package_given:
        resources.append(CodePackage(prepared, prepared.settings.datastore))
    schedule_name = str(request["Name"]) if request else names(prepared)[1]
    resources += [machine, Schedule(schedule_name, group, request, machine, scheduler_role)]
    return Deployment(target="sfn", flow=prepared.checked.flow.name,
                      where=f"Step Functions as {machine.machine}", resources=tuple(resources),
                      missing=tuple(missing))


def execution_input(prepared: Prepared, params: Sequence[tuple[str, str]],
                    origin_run_id: str = "", reuse_steps: Sequence[str] = ()) -> dict[str, Any]:
    """`{"parameters": {name: raw value}}` with the given values (the state machine merges
    the defaults), plus the origin run and the steps to reuse when resuming."""
    body: dict[str, Any] = {"parameters": dict(parameter_values(prepared, params))}
    if origin_run_id:
        body["origin_run_id"] = origin_run_id
        body["reuse_steps"] = ",".join(reuse_steps)
    return body


def trigger(prepared: Prepared, params: Sequence[tuple[str, str]],
            environ: Mapping[str, str], dry_run: bool = False) -> Triggered:
    """Start an execution named by a fresh run id."""
    body = execution_input(prepared, params)
    if dry_run:
        machine = names(prepared)[0]
        return Triggered(run_id="", lines=(
            f"# dry run: start a run of {prepared.checked.flow.name} on Step Functions; "
            "nothing is called",
            f"# states:ListStateMachines (find {machine}), states:DescribeStateMachine",
            "# states:StartExecution name=(a new run id) input=",
            json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False)))
    return _start(prepared, body)


def resume(prepared: Prepared, origin_run_id: str, reuse_steps: Sequence[str],
           params: Sequence[tuple[str, str]], environ: Mapping[str, str]) -> Triggered:
    """Start an execution that clones the origin run's finished tasks of `reuse_steps`."""
    return _start(prepared, execution_input(prepared, params, origin_run_id, reuse_steps))


def _start(prepared: Prepared, body: dict[str, Any]) -> Triggered:
    from flowc.runtime_shim.contracts.run_id import new_run_id

    machine = _machine(prepared, prepared.settings.role_arn)
    found = machine.read()
    if found is None:
        raise DeployError(f"state machine {machine.machine} does not exist: deploy it first "
                          "(flowc deploy FILE --target sfn)")
    lines = []
    if machine.deployed_definition != json.loads(machine.definition):
        lines.append(f"note: the deployed state machine {machine.machine} is not the one this "
                     "file compiles to; the run uses the deployed one (flowc deploy updates it)")
    run_id = new_run_id()
    text = json.dumps(body, sort_keys=True)
    sfn = client("stepfunctions")
    started = call(f"states:StartExecution {machine.machine}",
                   lambda: sfn.start_execution(stateMachineArn=found.handle, name=run_id,
                                               input=text))
    arn = started["executionArn"]
    region = arn.split(":")[3]
    flow = prepared.checked.flow.name
    lines += [f"run {flow}/{run_id} started: execution {arn}",
              f"watch: https://{region}.console.aws.amazon.com/states/home?region={region}"
              f"#/v2/executions/details/{arn} (or aws stepfunctions describe-execution "
              f"--execution-arn {arn})",
              f"then: flowc show {flow}/{run_id} --datastore {prepared.settings.datastore}"]
    return Triggered(run_id=run_id, lines=tuple(lines))
