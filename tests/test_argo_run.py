"""Every example runs end to end through its compiled `argo.yaml`, on the local Argo executor
(tests/argo: Argo's documented semantics, each container a local process), and ends with the
same artifacts, task by task, as `flowc run`. Also: a failing-once step shows Argo's retry,
and a 1,000-way foreach fans out through `withSequence`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from argo.executor import run_workflow
from flowc.compiler import check_file
from flowc.compiler.ir import dumps
from flowc.runtime_shim.client import Step
from flowc.runtime_shim.datastore import open_datastore
from flowc.runtime_shim.records import TaskStore
from flowc.targets.package import upload_package

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
FLOWC = str(Path(sys.executable).with_name("flowc"))

pytestmark = pytest.mark.slow


def compile_argo(flow: Path, datastore: Path, *extra: str) -> list[dict[str, Any]]:
    done = subprocess.run(
        [FLOWC, "compile", str(flow), "--target", "argo", "--set", f"datastore={datastore}",
         "--set", f"python={sys.executable}", "--set", "image=local", *extra],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return list(yaml.safe_load_all(done.stdout))


def upload_code(flow: Path, datastore: Path) -> str:
    """What `flowc deploy` does before creating the template: store the code package."""
    packaged = check_file(flow, root=flow.parent).checked
    assert packaged is not None
    return upload_package(open_datastore(str(datastore)), flow.parent,
                          dumps(packaged.flow)).digest


def submit(template: dict[str, Any], workdir: Path, arguments: dict[str, str] | None = None,
           **options: Any) -> Any:
    """`argo submit --from workflowtemplate/NAME`: a Workflow referencing the template."""
    name = template["metadata"]["name"]
    workflow = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
                "metadata": {"generateName": f"{name}-"},
                "spec": {"workflowTemplateRef": {"name": name}}}
    return run_workflow(workflow, arguments or {}, workdir=workdir, templates=[template],
                        **options)


def run_on_argo(flow: Path, workdir: Path, arguments: dict[str, str] | None = None,
                **options: Any) -> tuple[Any, Path]:
    """Compile, upload the code, submit; the executor's result and the datastore."""
    datastore = workdir / "ds"
    datastore.mkdir()
    [template] = compile_argo(flow, datastore)
    upload_code(flow, datastore)
    result = submit(template, workdir, arguments, time_scale=0.0, **options)
    assert result.phase == "Succeeded", result.message
    return result, datastore


def artifacts(datastore: Path, flow_name: str, run_id: str,
              steps: list[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """Every task's artifacts, by (step, task id), loaded through the results client."""
    store = TaskStore(open_datastore(str(datastore)), flow_name)
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for step in steps:
        for task in Step(store, run_id, step).tasks():
            found[(step, task.id)] = {artifact.name: artifact.data
                                      for artifact in task.artifacts}
    return found


def local_run(flow: Path, datastore: Path) -> str:
    datastore.mkdir()
    done = subprocess.run([FLOWC, "run", str(flow), "--datastore", str(datastore)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    from flowc.client import Flow

    checked = check_file(flow).checked
    assert checked is not None
    run = Flow(checked.flow.name, datastore=str(datastore)).latest_run
    assert run is not None
    return str(run.id)


@pytest.mark.parametrize("example", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_every_example_runs_on_argo_with_the_artifacts_of_a_local_run(
        example: Path, tmp_path: Path) -> None:
    checked = check_file(example).checked
    assert checked is not None
    datastore = tmp_path / "argo-ds"
    datastore.mkdir()
    documents = compile_argo(example, datastore)
    template = next(d for d in documents if d["kind"] == "WorkflowTemplate")
    code = upload_code(example, datastore)
    assert {"name": "flowc-code-package", "value": code,
            "description": "the flow's code package in the datastore"} in \
        template["spec"]["arguments"]["parameters"]
    result = submit(template, tmp_path, time_scale=0.0)
    failed = {name: (node.phase, node.logs[-2000:]) for name, node in result.nodes.items()
              if node.phase not in ("Succeeded", "Skipped", "Omitted")}
    assert result.phase == "Succeeded", (result.message, failed)
    steps = [step.name for step in checked.flow.steps]
    on_argo = artifacts(datastore, checked.flow.name, result.workflow_name, steps)
    local_run_id = local_run(example, tmp_path / "local-ds")
    locally = artifacts(tmp_path / "local-ds", checked.flow.name, local_run_id, steps)
    assert set(on_argo) == set(locally), "the same tasks ran"
    for key, values in locally.items():
        assert _comparable(on_argo[key]) == _comparable(values), key


def _comparable(values: dict[str, Any]) -> dict[str, Any]:
    """Artifacts as values; a caught exception by its type, message and step (its traceback
    names the user's file in a local run and the code package's copy on an orchestrator)."""
    return {name: (type(value).__name__, value.type, value.message, value.step)
            if hasattr(value, "traceback") else repr(value) for name, value in values.items()}


def test_a_failing_once_step_is_retried_by_argo(tmp_path: Path) -> None:
    flow = ROOT / "tests/runner_flows/retry_once.py"
    result, datastore = run_on_argo(flow, tmp_path, {"marker": str(tmp_path / "marker")})
    flaky = result.node("flaky")
    assert [attempt.phase for attempt in flaky.attempts] == ["Failed", "Succeeded"]
    record = TaskStore(open_datastore(str(datastore)), "RetryOnceFlow").read_record(
        result.workflow_name, "flaky", "t")
    assert record is not None and record.attempt == 1  # {{retries}} reached the shim


def test_a_thousand_way_foreach_fans_out_with_sequence(tmp_path: Path) -> None:
    flow = ROOT / "tests/runner_flows/wide_foreach.py"
    result, datastore = run_on_argo(flow, tmp_path, max_pods=8)
    store = TaskStore(open_datastore(str(datastore)), "WideForeachFlow")
    join = Step(store, result.workflow_name, "join").task
    assert join.data.count == 1000 and join.data.total == sum(i * i for i in range(1000))


def test_environment_values_with_braces_reach_the_task_unchanged(tmp_path: Path) -> None:
    flow = ROOT / "tests/runner_flows/env_braces.py"
    result, datastore = run_on_argo(flow, tmp_path)
    start = Step(TaskStore(open_datastore(str(datastore)), "EnvBracesFlow"),
                 result.workflow_name, "start").task
    assert start.data.braces == "{{workflow.uid}} $(whoami) 'q' \"dq\" é"
    assert start.data.plain == "plain"
