"""Which executor covers which Map form, and that the harness agrees with moto where both run.

- Inline Map over `ItemsPath`: the harness (aws-local-stepfunctions); test_sfn_exec,
  test_sfn_run.
- Distributed Map over `ItemsPath`: the harness; aws-local-stepfunctions runs it as an inline
  Map, and the harness makes each item a child execution (its own name, the item as
  `$$.Execution.Input`) as AWS does (test_sfn_exec).
- Distributed Map with an S3 `ItemReader`: moto (`execute_state_machine`) reads the items but
  runs no Batch/ECS container; the harness reads the same items itself (aws-local-stepfunctions
  ignores `ItemReader`) and runs the containers. Here both give the same result.
"""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import pytest
from sfn.harness import run_execution

pytestmark = pytest.mark.slow


def on_moto(endpoint: str, definition: dict[str, Any], execution_input: Any) -> Any:
    """Run the definition on moto's Step Functions (its ASL interpreter) and return the
    output; moto's config must enable `execute_state_machine` (set here, for its server)."""
    request = urllib.request.Request(
        f"{endpoint}/moto-api/config", method="POST",
        data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode())
    urllib.request.urlopen(request, timeout=10).read()
    sfn = boto3.client("stepfunctions", endpoint_url=endpoint, region_name="us-east-1")
    machine = sfn.create_state_machine(
        name=f"m-{time.monotonic_ns()}", definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/sfn")["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, name="exec-1",
                                    input=json.dumps(execution_input))["executionArn"]
    deadline = time.monotonic() + 30
    while (described := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
        assert time.monotonic() < deadline, "moto's execution did not finish in 30 s"
        time.sleep(0.05)
    assert described["status"] == "SUCCEEDED", described
    return json.loads(described["output"])


def reader_map(reader: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": "Fan", "States": {"Fan": {
        "Type": "Map", "End": True, "ItemReader": reader,
        "ItemSelector": {"index.$": "$$.Map.Item.Index", "value.$": "$$.Map.Item.Value",
                         "run.$": "$.run"},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED",
                                              "ExecutionType": "STANDARD"},
                          "StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}}}}}


@pytest.mark.parametrize("max_items", [None, 2])
def test_an_s3_json_item_reader_gives_the_items_moto_gives(
        tmp_path: Path, aws_env: str, s3_client: Any, s3_bucket: str,
        max_items: int | None) -> None:
    items = [{"index": i, "name": f"item {i}"} for i in range(5)]
    s3_client.put_object(Bucket=s3_bucket, Key="lists/items.json",
                         Body=json.dumps(items).encode())
    config: dict[str, Any] = {"InputType": "JSON"}
    if max_items:
        config["MaxItems"] = max_items
    definition = reader_map({"Resource": "arn:aws:states:::s3:getObject",
                             "ReaderConfig": config,
                             "Parameters": {"Bucket": s3_bucket, "Key.$": "$.key"}})
    execution_input = {"key": "lists/items.json", "run": "run-1"}
    expected = on_moto(aws_env, definition, execution_input)
    assert len(expected) == (max_items or 5) and expected[1]["value"] == items[1]
    harness = run_execution(definition, execution_input, execution_name="exec-1",
                            s3_endpoint=aws_env, workdir=tmp_path)
    assert harness.status == "SUCCEEDED", harness.explain()
    assert harness.output == expected


def test_a_list_objects_item_reader_iterates_over_the_keys(
        tmp_path: Path, aws_env: str, s3_client: Any, s3_bucket: str) -> None:
    """Harness only: moto 5.2.6 answers DescribeExecution with HTTP 500 for this reader (its
    items carry a datetime it cannot serialize). The item shape is AWS's documented one."""
    for key in ("p/a", "p/bb", "q/c"):
        s3_client.put_object(Bucket=s3_bucket, Key=key, Body=b"x" * len(key))
    definition = reader_map({"Resource": "arn:aws:states:::s3:listObjectsV2",
                             "Parameters": {"Bucket": s3_bucket, "Prefix": "p/"}})
    harness = run_execution(definition, {"run": "r"}, execution_name="exec-1",
                            s3_endpoint=aws_env, workdir=tmp_path)
    assert harness.status == "SUCCEEDED", harness.explain()
    values = [item["value"] for item in harness.output]
    assert [(value["Key"], value["Size"]) for value in values] == [("p/a", 3), ("p/bb", 4)]
    assert all(set(value) == {"Etag", "Key", "LastModified", "Size", "StorageClass"}
               for value in values)


def test_a_result_writer_stores_a_manifest_where_moto_does(
        tmp_path: Path, aws_env: str, s3_client: Any, s3_bucket: str) -> None:
    """The Map's result names the manifest (`<Prefix>/<map run id>/manifest.json`) instead of
    holding the items' results; the harness also writes those results beside it, as AWS does
    (moto 5.2.6 writes the manifest only)."""
    s3_client.put_object(Bucket=s3_bucket, Key="items.json", Body=b'[10, 20, 30]')
    definition = reader_map({"Resource": "arn:aws:states:::s3:getObject",
                             "ReaderConfig": {"InputType": "JSON"},
                             "Parameters": {"Bucket": s3_bucket, "Key": "items.json"}})
    definition["States"]["Fan"]["ResultWriter"] = {
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": s3_bucket, "Prefix": "results"}}

    def manifest_of(output: dict[str, Any]) -> dict[str, Any]:
        details = output["ResultWriterDetails"]
        assert details["Bucket"] == s3_bucket
        assert details["Key"].startswith("results/") and details["Key"].endswith("/manifest.json")
        body = s3_client.get_object(Bucket=s3_bucket, Key=details["Key"])["Body"].read()
        manifest: dict[str, Any] = json.loads(body)
        assert manifest["DestinationBucket"] == s3_bucket
        assert manifest["MapRunArn"] == output["MapRunArn"]
        return manifest

    expected = on_moto(aws_env, definition, {"run": "r"})
    assert set(expected) == {"MapRunArn", "ResultWriterDetails"}
    manifest_of(expected)
    harness = run_execution(definition, {"run": "r"}, execution_name="exec-1",
                            s3_endpoint=aws_env, workdir=tmp_path)
    assert harness.status == "SUCCEEDED", harness.explain()
    assert set(harness.output) == set(expected)
    [written] = manifest_of(harness.output)["ResultFiles"]["SUCCEEDED"]
    results = json.loads(s3_client.get_object(Bucket=s3_bucket, Key=written["Key"])["Body"].read())
    assert [json.loads(result["Output"])["value"] for result in results] == [10, 20, 30]
