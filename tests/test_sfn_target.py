"""The Step Functions target's own rules: the settings it needs (one line each), what it
refuses or ignores (FLC201/FLC202 at the construct), the names it makes, how each construct
maps (docs/targets/sfn.md), that every state's payload stays small, and the schedule."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flowc.targets.sfn.schedule import CronError, eventbridge_cron

ROOT = Path(__file__).resolve().parent.parent
FLOWC = str(Path(sys.executable).with_name("flowc"))
SETTINGS = ("--set", "datastore=s3://b/p", "--set", "job_queue=q", "--set", "job_definition=d")


def compile_source(tmp_path: Path, source: str, *args: str,
                   settings: tuple[str, ...] = SETTINGS) -> subprocess.CompletedProcess[str]:
    flow = tmp_path / "flow.py"
    flow.write_text(source)
    return subprocess.run([FLOWC, "compile", str(flow), "--target", "sfn", *settings, *args],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)


def golden(example: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "golden" / example / "sfn.json").read_text())
    return data


def walk(states: dict[str, Any], nested: bool = False) -> Iterator[tuple[str, dict, bool]]:
    """Every state, with whether it runs inside a Map item or a Parallel branch."""
    for name, state in states.items():
        yield name, state, nested
        for branch in state.get("Branches", []):
            yield from walk(branch["States"], True)
        if "ItemProcessor" in state:
            yield from walk(state["ItemProcessor"]["States"], True)


HEAD = "from flowc import FlowSpec, Parameter, step, resources, secrets, schedule\n\n"
TAIL = ("    @step\n    def start(self):\n        self.next(self.end)\n\n"
        "    @step\n    def end(self):\n        pass\n")


# --- settings ------------------------------------------------------------------------------

@pytest.mark.parametrize(("settings", "message"), [
    (("--set", "job_queue=q", "--set", "job_definition=d"), "datastore"),
    (("--set", "datastore=/tmp/store", "--set", "job_queue=q", "--set", "job_definition=d"),
     "setting 'datastore': '/tmp/store' is not s3://bucket[/prefix]"),
    (("--set", "datastore=s3://b",), "setting 'job_queue': required with compute = batch"),
    (("--set", "datastore=s3://b", "--set", "compute=ecs"),
     "setting 'cluster': required with compute = ecs"),
    (("--set", "datastore=s3://b", "--set", "compute=ecs", "--set", "cluster=c",
      "--set", "task_definition=t"), "setting 'subnets': required with compute = ecs and "
                                     "launch_type = FARGATE"),
    (SETTINGS + ("--set", "map_mode=huge"), "setting 'map_mode': 'huge' is not one of"),
])
def test_missing_or_bad_settings_are_one_line_and_exit_2(
        tmp_path: Path, settings: tuple[str, ...], message: str) -> None:
    done = compile_source(tmp_path, HEAD + "class F(FlowSpec):\n" + TAIL, settings=settings)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("flowc: error: ") and done.stderr.count("\n") == 1
    assert message in done.stderr and "Traceback" not in done.stderr


# --- what it refuses or ignores ------------------------------------------------------------

def test_num_parallel_is_flc201() -> None:
    done = subprocess.run([FLOWC, "compile", "tests/runner_flows/parallel_gang.py", "-t", "sfn",
                           *SETTINGS], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "error[FLC201] the sfn target cannot express num_parallel" in done.stderr


def test_secrets_and_a_step_image_are_flc202_at_the_decorator(tmp_path: Path) -> None:
    source = ("from flowc import FlowSpec, batch, secrets, step\n\n"
              "class F(FlowSpec):\n"
              "    @secrets(sources=['db'])\n"
              "    @batch(image='other:1')\n"
              "    @step\n    def start(self):\n        self.next(self.end)\n\n"
              "    @step\n    def end(self):\n        pass\n")
    done = compile_source(tmp_path, source)
    assert done.returncode == 0, done.stderr
    assert ":4:6: warning[FLC202] the sfn target ignores @secrets" in done.stderr
    assert ":5:6: warning[FLC202] the sfn target ignores @batch(image=...)" in done.stderr


# --- names ---------------------------------------------------------------------------------

def test_long_names_are_shortened_stably_and_stay_distinct(tmp_path: Path) -> None:
    long = "a" * 90
    source = (f"from flowc import FlowSpec, step\n\nclass {'F' * 100}(FlowSpec):\n"
              "    @step\n    def start(self):\n"
              f"        self.next(self.{long}1, self.{long}2)\n\n"
              f"    @step\n    def {long}1(self):\n        self.next(self.join)\n\n"
              f"    @step\n    def {long}2(self):\n        self.next(self.join)\n\n"
              "    @step\n    def join(self, inputs):\n        self.next(self.end)\n\n"
              "    @step\n    def end(self):\n        pass\n")
    first = compile_source(tmp_path, source)
    assert first.returncode == 0, first.stderr
    assert first.stdout == compile_source(tmp_path, source).stdout
    names = [name for name, _, _ in walk(json.loads(first.stdout)["States"])]
    assert len(names) == len(set(names)) and all(len(name) <= 80 for name in names)
    assert all(set(name) <= set("abcdefghijklmnopqrstuvwxyz"
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") for name in names)
    job = json.loads(first.stdout)["States"]["start"]["Parameters"]["JobName"]
    assert len(job) <= 128


# --- the mapping ---------------------------------------------------------------------------

def test_steps_split_foreach_and_switch_become_task_parallel_map_and_choice() -> None:
    assert golden("branch")["States"]["start.split"]["Type"] == "Parallel"
    foreach = golden("foreach")["States"]
    assert foreach["start.outputs"]["Resource"] == "arn:aws:states:::aws-sdk:s3:getObject"
    assert foreach["start.map"]["ItemsPath"] == "$.task.outputs.foreach_indices"
    switch = golden("hostile_strings")["States"]["start.choice"]
    assert [(rule["Variable"], rule["StringEquals"]) for rule in switch["Choices"]] == \
        [("$.task.outputs.switch_target", "braces"), ("$.task.outputs.switch_target", "plain")]
    loop = golden("switch_loop")["States"]
    assert loop["increment.choice"]["Choices"][0]["Next"] == "increment.again"
    assert loop["increment.again"]["Next"] == "increment"


def _modes(definition: dict[str, Any]) -> list[str]:
    return [state["ItemProcessor"]["ProcessorConfig"]["Mode"]
            for _, state, _ in walk(definition["States"]) if state["Type"] == "Map"]


@pytest.mark.parametrize(("mode", "expected"), [
    ("auto", ["DISTRIBUTED", "INLINE", "INLINE"]),
    ("inline", ["INLINE"] * 3),
    ("distributed", ["DISTRIBUTED"] * 3),
])
def test_map_modes(tmp_path: Path, mode: str, expected: list[str]) -> None:
    done = subprocess.run([FLOWC, "compile", "examples/nested_foreach.py", "-t", "sfn",
                           "--set", f"map_mode={mode}", "--set", "max_concurrency=5"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    definition = json.loads(done.stdout)
    assert _modes(definition) == expected
    maps = [state for _, state, _ in walk(definition["States"]) if state["Type"] == "Map"]
    assert all(state["MaxConcurrency"] == 5 for state in maps)
    assert all(state["ItemProcessor"]["ProcessorConfig"].get("ExecutionType") ==
               ("STANDARD" if state["ItemProcessor"]["ProcessorConfig"]["Mode"] ==
                "DISTRIBUTED" else None) for state in maps)


def test_decorators_become_retry_timeout_resources_queue_and_environment() -> None:
    states = golden("decorators")["States"]
    start = states["start"]
    assert start["Retry"] == [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 60,
                               "MaxAttempts": 2, "BackoffRate": 1.0}]
    assert start["TimeoutSeconds"] == 600
    train = states["train"]["Parameters"]["ContainerOverrides"]
    assert train["ResourceRequirements"] == [{"Type": "VCPU", "Value": "2"},
                                             {"Type": "MEMORY", "Value": "4096"}]
    assert train["Environment"] == [{"Name": "TRAINING_MODE", "Value": "demo"}]
    assert states["score"]["Parameters"]["JobQueue"] == "scoring"
    assert "ResourceRequirements" not in states["end"]["Parameters"]["ContainerOverrides"]


def test_a_gpu_and_ecs_overrides(tmp_path: Path) -> None:
    source = HEAD + ("class F(FlowSpec):\n    @resources(cpu=0.5, memory=2048, gpu=1)\n" + TAIL)
    batch = json.loads(compile_source(tmp_path, source).stdout)["States"]["start"]
    assert batch["Parameters"]["ContainerOverrides"]["ResourceRequirements"] == [
        {"Type": "VCPU", "Value": "0.5"}, {"Type": "MEMORY", "Value": "2048"},
        {"Type": "GPU", "Value": "1"}]
    ecs = json.loads(compile_source(tmp_path, source, settings=(
        "--set", "datastore=s3://b", "--set", "compute=ecs", "--set", "cluster=c",
        "--set", "task_definition=t", "--set", "subnets=s1", "--set", "task_role=r")).stdout)
    start = ecs["States"]["start"]
    assert start["Resource"] == "arn:aws:states:::ecs:runTask.sync"
    container = start["Parameters"]["Overrides"]["ContainerOverrides"][0]
    assert (container["Name"], container["Cpu"], container["Memory"]) == ("flowc", 512, 2048)
    assert container["ResourceRequirements"] == [{"Type": "GPU", "Value": "1"}]
    assert start["Parameters"]["NetworkConfiguration"]["AwsvpcConfiguration"] == {
        "Subnets": ["s1"], "AssignPublicIp": "DISABLED"}
    assert start["Parameters"]["Overrides"]["TaskRoleArn"] == "r"


@pytest.mark.parametrize("example", sorted(p.parent.name for p in
                                           (ROOT / "golden").glob("*/sfn.json")))
def test_every_state_keeps_its_payload_small(example: str) -> None:
    """No job description or list of results is kept: tasks drop their result, Maps and
    Parallels replace or drop theirs, and whatever ends a Map item or a branch outputs {}."""
    for name, state, nested in walk(golden(example)["States"]):
        ends_nested = bool(nested and state.get("End"))
        runs_something = state["Type"] == "Parallel" or (
            state["Type"] == "Task" and "getObject" not in state["Resource"])
        if runs_something and not ends_nested:
            assert state["ResultPath"] is None, name
        if state["Type"] == "Map":
            assert state["ResultPath"] == "$.task" and "ResultSelector" in state, name
        if nested and state.get("End"):
            assert "OutputPath" in state and state["OutputPath"] is None, name


def test_user_strings_stay_data() -> None:
    """The hostile example's strings appear only as static values, never in an expression
    or a state name; its switch key is never compared."""
    definition = golden("hostile_strings")
    for name, state, _ in walk(definition["States"]):
        assert "weird" not in name
        for key, value in _items(state):
            if key.endswith(".$"):
                assert not any(text in value for text in ("pwned", "whoami", "weird", "naïve"))
    defaults = definition["States"]["flowc.input"]["Parameters"]["parameter_defaults"]
    assert defaults["label"] == "naïve: 'single' & \"double\" \\ % {braces}"


def _items(value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            if key not in ("States", "Branches", "ItemProcessor"):
                yield from _items(item)
    elif isinstance(value, list):
        for item in value:
            yield from _items(item)


def test_a_parameter_without_default_fails_the_execution_by_name(tmp_path: Path) -> None:
    source = HEAD + "class F(FlowSpec):\n    x = Parameter('x', type=int)\n" + TAIL
    states = json.loads(compile_source(tmp_path, source).stdout)["States"]
    rule = states["flowc.required"]["Choices"][0]
    assert rule == {"Not": {"Variable": "$.given.parameters.x", "IsPresent": True},
                    "Next": "flowc.missing.x"}
    assert states["flowc.missing.x"]["Type"] == "Fail"


# --- schedules -----------------------------------------------------------------------------

@pytest.mark.parametrize(("cron", "expected"), [
    ("30 6 * * 1-5", "cron(30 6 ? * 2-6 *)"),
    ("0 3 * * *", "cron(0 3 * * ? *)"),
    ("0 0 1 * *", "cron(0 0 1 * ? *)"),
    ("0 12 * * 0,6", "cron(0 12 ? * 1,7 *)"),
    ("0 12 * * 7", "cron(0 12 ? * 1 *)"),
    ("0 12 * * MON-FRI", "cron(0 12 ? * MON-FRI *)"),
    ("*/15 * * * */2", "cron(*/15 * ? * */2 *)"),
    ("0 10 ? * 6#3 *", "cron(0 10 ? * 6#3 *)"),
])
def test_cron_in_eventbridge_form(cron: str, expected: str) -> None:
    assert eventbridge_cron(cron) == expected


@pytest.mark.parametrize("cron", ["0 0 1 * 1", "0 0 * * 5-7", "0 0 * *", "0 0 * * 9"])
def test_cron_eventbridge_cannot_take(cron: str) -> None:
    with pytest.raises(CronError):
        eventbridge_cron(cron)


def test_a_schedule_eventbridge_cannot_take_is_flc201_at_the_decorator(tmp_path: Path) -> None:
    source = HEAD + ("@schedule(cron='0 0 1 * 1')\nclass F(FlowSpec):\n" + TAIL)
    done = compile_source(tmp_path, source)
    assert done.returncode == 1
    assert ":3:2: error[FLC201] the sfn target cannot schedule this" in done.stderr


def test_the_schedule_document(tmp_path: Path) -> None:
    schedule = json.loads((ROOT / "golden" / "decorators" / "sfn.schedule.json").read_text())
    assert schedule["ScheduleExpression"] == "cron(30 6 ? * 2-6 *)"
    assert schedule["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert schedule["Target"]["Arn"] == ("arn:aws:states:eu-west-1:123456789012:stateMachine:"
                                         "decorator_tour_DecoratorsFlow")
    assert json.loads(schedule["Target"]["Input"]) == {"parameters": {}}
    source = HEAD + ("@schedule(hourly=True)\nclass F(FlowSpec):\n"
                     "    a = Parameter('a', default=0.5)\n" + TAIL)
    done = compile_source(tmp_path, source, "-o", str(tmp_path / "out"), settings=SETTINGS + (
        "--set", "region=r", "--set", "account=1", "--set", "scheduler_role=role"))
    assert done.returncode == 0, done.stderr
    written = json.loads((tmp_path / "out" / "sfn.schedule.json").read_text())
    assert json.loads(written["Target"]["Input"]) == {"parameters": {"a": "0.5"}}
    assert written["ScheduleExpressionTimezone"] == "UTC"
    missing = compile_source(tmp_path, source)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
    assert "region, account, scheduler_role for @schedule" in missing.stderr
