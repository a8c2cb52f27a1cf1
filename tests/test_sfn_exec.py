"""The Step Functions test harness (tests/sfn) on small hand-written definitions: every Batch
or ECS Task runs its overrides' command as a local process against moto's S3, `getObject` reads
what a task wrote, and Parallel, inline Map, Choice, Retry (with `$$.State.RetryCount`) and
Catch behave as in AWS. Executor: aws-local-stepfunctions 3 on Node 22."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sfn.harness import run_execution

pytestmark = pytest.mark.slow

BATCH = "arn:aws:states:::batch:submitJob.sync"
ECS = "arn:aws:states:::ecs:runTask.sync"
GET = "arn:aws:states:::aws-sdk:s3:getObject"

# A task: writes {"value": VALUE} to s3://BUCKET/KEY with boto3 (endpoint: AWS_ENDPOINT_URL).
WRITE = ("import boto3, json, sys; bucket, key, value = sys.argv[1:4]; "
         "boto3.client('s3').put_object(Bucket=bucket, Key=key, "
         "Body=json.dumps({'value': value}).encode())")


def batch(command: list[str], *, env: dict[str, str] | None = None,
          then: str | None = None, **fields: Any) -> dict[str, Any]:
    state: dict[str, Any] = {
        "Type": "Task", "Resource": BATCH,
        "Parameters": {"JobName": "job", "JobQueue": "queue", "JobDefinition": "definition",
                       "ContainerOverrides": {
                           "Command": command,
                           "Environment": [{"Name": k, "Value": v}
                                           for k, v in (env or {}).items()]}},
        "ResultPath": None, **fields}
    state.update({"Next": then} if then else {"End": True})
    return state


def read_value(bucket: str, key: str, then: str | None = None) -> dict[str, Any]:
    state: dict[str, Any] = {
        "Type": "Task", "Resource": GET, "Parameters": {"Bucket": bucket, "Key": key},
        "ResultSelector": {"read.$": "States.StringToJson($.Body)"},
        "OutputPath": "$.read"}
    state.update({"Next": then} if then else {"End": True})
    return state


def run(definition: dict[str, Any], tmp_path: Path, endpoint: str, execution_input: Any = None,
        **options: Any) -> Any:
    return run_execution(definition, execution_input if execution_input is not None else {},
                         execution_name="exec-1", s3_endpoint=endpoint,
                         workdir=tmp_path / "work", **options)


def test_a_batch_task_runs_its_command_and_environment_and_get_object_reads_its_output(
        tmp_path: Path, aws_env: str, s3_bucket: str) -> None:
    definition = {"StartAt": "Write", "States": {
        "Write": batch(["python", "-c", WRITE + "; import os; print(os.environ['GREETING'])",
                        s3_bucket, "out/a.json", "it's {{x}} $(y)"],
                       env={"GREETING": "hello é"}, then="Read"),
        "Read": read_value(s3_bucket, "out/a.json")}}
    execution = run(definition, tmp_path, aws_env)
    assert execution.status == "SUCCEEDED", execution.explain()
    assert execution.output == {"value": "it's {{x}} $(y)"}
    [task] = execution.tasks
    assert (task.state, task.kind, task.exit_code) == ("Write", "batch", 0)
    assert task.stdout == "hello é\n"


def test_parallel_inline_map_and_choice(tmp_path: Path, aws_env: str, s3_bucket: str) -> None:
    item = {"Type": "Task", "Resource": BATCH, "ResultPath": None, "End": True,
            "Parameters": {"JobName": "item", "JobQueue": "q", "JobDefinition": "d",
                           "ContainerOverrides": {"Command.$": (
                               "States.Array('python', '-c', $.script, $.bucket, $.key, "
                               "$.value)")}}}
    definition = {"StartAt": "Split", "States": {
        "Split": {"Type": "Parallel", "ResultPath": None, "Next": "Fan", "Branches": [
            {"StartAt": "Left", "States": {"Left": batch(
                ["python", "-c", WRITE, s3_bucket, "left.json", "high"])}},
            {"StartAt": "Right", "States": {"Right": batch(
                ["python", "-c", WRITE, s3_bucket, "right.json", "r"])}}]},
        "Fan": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 3, "ResultPath": None,
                "ItemSelector": {"key.$": "States.Format('item-{}.json', $$.Map.Item.Index)",
                                 "value.$": "$$.Map.Item.Value", "script": WRITE,
                                 "bucket": s3_bucket},
                "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Item",
                                  "States": {"Item": item}},
                "Next": "Read"},
        "Read": read_value(s3_bucket, "left.json", then="Which"),
        "Which": {"Type": "Choice", "Default": "Low", "Choices": [
            {"Variable": "$.value", "StringEquals": "high", "Next": "High"}]},
        "High": {"Type": "Pass", "Result": "took high", "End": True},
        "Low": {"Type": "Pass", "Result": "took low", "End": True}}}
    execution = run(definition, tmp_path, aws_env, {"items": ["a", "b", "c", "d"]})
    assert execution.status == "SUCCEEDED", execution.explain()
    assert execution.output == "took high"
    assert sorted(task.state for task in execution.tasks) == ["Item"] * 4 + ["Left", "Right"]
    written = {task.command[-2]: task.command[-1] for task in execution.runs_of("Item")}
    assert written == {"item-0.json": "a", "item-1.json": "b", "item-2.json": "c",
                       "item-3.json": "d"}


def test_a_failing_once_task_is_retried_with_its_retry_count(
        tmp_path: Path, aws_env: str) -> None:
    marker = tmp_path / "failed-once"
    flaky = ("import sys, pathlib; marker = pathlib.Path(sys.argv[1]); "
             "first = not marker.exists(); marker.touch(); sys.exit(3 if first else 0)")
    definition = {"StartAt": "Flaky", "States": {"Flaky": {
        **batch([]), "Parameters": {
            "JobName": "flaky", "JobQueue": "q", "JobDefinition": "d",
            "ContainerOverrides": {"Command.$": (
                "States.Array('python', '-c', $.script, $.marker, "
                "States.Format('{}', $$.State.RetryCount))")}},
        "Retry": [{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 2,
                   "IntervalSeconds": 60, "BackoffRate": 2.0}]}}}
    execution = run(definition, tmp_path, aws_env, {"script": flaky, "marker": str(marker)})
    assert execution.status == "SUCCEEDED", execution.explain()
    runs = execution.runs_of("Flaky")
    assert [(run.exit_code, run.command[-1]) for run in runs] == [(3, "0"), (0, "1")]
    assert [(e["type"], e["state"]) for e in execution.events] == [
        ("StateFailed", "Flaky"), ("StateRetried", "Flaky")]


def test_an_exhausted_retry_fails_the_execution_with_task_failed_and_catch_recovers(
        tmp_path: Path, aws_env: str) -> None:
    failing = batch(["python", "-c", "import sys; sys.exit(1)"],
                    Retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}])
    execution = run({"StartAt": "Fail", "States": {"Fail": failing}}, tmp_path, aws_env)
    assert (execution.status, execution.error) == ("FAILED", "States.TaskFailed")
    assert json.loads(execution.cause or "")["Status"] == "FAILED"
    assert [run.exit_code for run in execution.tasks] == [1, 1]

    caught = {"StartAt": "Fail", "States": {
        "Fail": {**failing, "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Handled",
                                       "ResultPath": "$.error"}]},
        "Handled": {"Type": "Pass", "OutputPath": "$.error.Error", "End": True}}}
    execution = run(caught, tmp_path, aws_env)
    assert (execution.status, execution.output) == ("SUCCEEDED", "States.TaskFailed")


def test_an_ecs_task_runs_its_container_override(tmp_path: Path, aws_env: str,
                                                 s3_bucket: str) -> None:
    definition = {"StartAt": "Ecs", "States": {
        "Ecs": {"Type": "Task", "Resource": ECS, "ResultPath": None, "Next": "Read",
                "Parameters": {"Cluster": "c", "TaskDefinition": "t", "LaunchType": "FARGATE",
                               "Overrides": {"ContainerOverrides": [{
                                   "Name": "flowc", "Command": ["python", "-c", WRITE, s3_bucket,
                                                                "ecs.json", "from ecs"]}]}}},
        "Read": read_value(s3_bucket, "ecs.json")}}
    execution = run(definition, tmp_path, aws_env)
    assert execution.status == "SUCCEEDED", execution.explain()
    assert execution.output == {"value": "from ecs"}
    assert [task.kind for task in execution.tasks] == ["ecs"]


def test_a_missing_object_is_a_no_such_key_error(tmp_path: Path, aws_env: str,
                                                 s3_bucket: str) -> None:
    execution = run({"StartAt": "Read", "States": {"Read": read_value(s3_bucket, "nope")}},
                    tmp_path, aws_env)
    assert (execution.status, execution.error) == ("FAILED", "S3.NoSuchKeyException")


def test_a_resource_the_harness_cannot_run_is_refused_before_the_execution(
        tmp_path: Path, aws_env: str) -> None:
    definition = {"StartAt": "Lambda", "States": {"Lambda": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
        "End": True}}}
    execution = run(definition, tmp_path, aws_env)
    assert execution.status == "UNSUPPORTED" and "Lambda" in (execution.cause or "")
    assert execution.tasks == ()


def test_context_object_execution_name_and_input_in_inline_and_distributed_maps(
        tmp_path: Path, aws_env: str) -> None:
    """An inline Map iteration is part of the execution ($$.Execution is the run's); a
    DISTRIBUTED Map item is a child execution of its own (new name, the item as input), so a
    definition must hand the run id down through ItemSelector."""
    probe = {"Type": "Pass", "End": True,
             "Parameters": {"name.$": "$$.Execution.Name", "input.$": "$$.Execution.Input",
                            "retries.$": "$$.State.RetryCount", "state.$": "$$.State.Name"}}

    config = {"INLINE": {"Mode": "INLINE"},
              "DISTRIBUTED": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}}

    def fan(mode: str) -> dict[str, Any]:
        return {"Type": "Map", "ItemsPath": "$.items", "ItemSelector": {"v.$": "$$.Map.Item.Value"},
                "ItemProcessor": {"ProcessorConfig": config[mode], "StartAt": f"Probe{mode}",
                                  "States": {f"Probe{mode}": probe}}}

    definition = {"StartAt": "Both", "States": {"Both": {
        "Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "Inline", "States": {"Inline": {**fan("INLINE"), "End": True}}},
            {"StartAt": "Distributed", "States": {"Distributed": {
                **fan("DISTRIBUTED"), "End": True}}}]}}}
    execution = run(definition, tmp_path, aws_env, {"items": [7]})
    assert execution.status == "SUCCEEDED", execution.explain()
    [[inline], [distributed]] = execution.output
    assert inline == {"name": "exec-1", "input": {"items": [7]}, "retries": 0,
                      "state": "ProbeINLINE"}
    assert distributed["name"] != "exec-1" and distributed["input"] == {"v": 7}


def test_intrinsics_keep_backslashes_of_values_and_undo_only_literal_escapes(
        tmp_path: Path, aws_env: str) -> None:
    """aws-local-stepfunctions 3.0.0 drops every backslash of an intrinsic's string result;
    AWS keeps a value's backslashes and undoes only a literal's escapes (\\' \\{ \\}; an
    escaped backslash in a literal is refused by asl-validator 3 and 4 alike)."""
    definition = {"StartAt": "Eval", "States": {"Eval": {"Type": "Pass", "End": True,
                                                         "Parameters": {
        "format.$": "States.Format('{} \\{\\} it\\'s {}', $.value, $.number)",
        "array.$": "States.Array(States.Format('v={}', $.value), 'a\\'b')"}}}}
    execution = run(definition, tmp_path, aws_env, {"value": "back\\slash 'q' {}", "number": 3})
    assert execution.status == "SUCCEEDED", execution.explain()
    assert execution.output == {"format": "back\\slash 'q' {} {} it's 3",
                                "array": ["v=back\\slash 'q' {}", "a'b"]}
