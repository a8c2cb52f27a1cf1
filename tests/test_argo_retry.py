"""`argo retry` and the shim (issue 11): a run fails at a late step, the cause goes away, and
`argo retry` (tests/argo/retry.py: the same workflow name, so the same run id, the succeeded
nodes kept) completes it. Nothing a successful task wrote is touched, byte for byte and mtime;
the failed task's new attempt writes the only new record; the artifacts equal a clean run's.
The failed attempt had stored a blob before it failed: no record ever points at it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from argo.executor import run_workflow
from argo.retry import kept_nodes, retry_workflow
from flowc.runtime_shim.client import Step
from flowc.runtime_shim.datastore import open_datastore
from flowc.runtime_shim.records import TaskStore
from flowc.runtime_shim.serialize import serialize
from test_argo_run import artifacts, compile_argo, submit, upload_code

ROOT = Path(__file__).resolve().parent.parent
FLOW = ROOT / "tests/runner_flows/retry_late.py"
NAME = "RetryLateFlow"
STEPS = ["start", "square", "join", "report", "end"]
FIRST = ["start", "square", "join"]  # the steps that succeed before `report` fails
FAILED_SUMMARY = "written by the failed attempt"

pytestmark = pytest.mark.slow


def _snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under the datastore root: its bytes and its mtime in nanoseconds."""
    found = {}
    for directory, _, files in os.walk(root):
        for name in files:
            path = Path(directory, name)
            found[str(path.relative_to(root))] = (path.read_bytes(), path.stat().st_mtime_ns)
    return found


def _run(tmp: Path, label: str, marker: Path) -> tuple[Any, Path]:
    datastore = tmp / f"ds-{label}"
    datastore.mkdir()
    [template] = compile_argo(FLOW, datastore)
    upload_code(FLOW, datastore)
    result = submit(template, tmp / f"w-{label}", {"marker": str(marker)}, time_scale=0.0,
                    shared_paths=[datastore, marker])
    return result, datastore


@pytest.fixture(scope="module")
def retried(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("retry")
    marker = tmp / "fixed"
    failed, datastore = _run(tmp, "a", marker)
    store = TaskStore(open_datastore(str(datastore)), NAME)
    before = _snapshot(datastore)
    state = {
        "has_record": store.read_record(failed.workflow_name, "report", "t") is not None,
        "listed": [task.id for task in Step(store, failed.workflow_name, "report").tasks()],
        "blob": open_datastore(str(datastore)).has_blob(
            NAME, serialize(FAILED_SUMMARY).digest()),
    }
    marker.write_text("fixed")  # the cause of the failure goes away; the workflow is the same
    again = retry_workflow(failed, time_scale=0.0)
    clean, clean_store = _run(tmp, "clean", marker)
    return {"failed": failed, "again": again, "clean": clean, "store": store,
            "datastore": datastore, "clean_datastore": clean_store, "before": before,
            "after": _snapshot(datastore), "state": state}


def test_the_first_run_fails_at_report(retried: dict[str, Any]) -> None:
    failed = retried["failed"]
    assert failed.phase == "Failed"
    phases = {node.template: node.phase for node in failed.nodes.values() if node.kind == "Pod"}
    assert phases["report"] == "Failed" and "end" not in phases
    assert all(phases[step] == "Succeeded" for step in FIRST), phases
    kept = {node.template for node in kept_nodes(failed).values() if node.kind == "Pod"}
    assert kept == set(FIRST)


def test_argo_retry_completes_the_same_run_without_rerunning_what_succeeded(
        retried: dict[str, Any]) -> None:
    failed, again, store = retried["failed"], retried["again"], retried["store"]
    assert again.phase == "Succeeded", again.message
    assert again.workflow_name == failed.workflow_name  # the same run id
    for name, node in failed.nodes.items():
        if node.kind == "Pod" and node.phase == "Succeeded":
            assert again.nodes[name] is node, name  # kept: not executed again
    report = next(node for node in again.nodes.values() if node.template == "report")
    assert report.phase == "Succeeded" and len(report.attempts) == 1
    # nothing that existed before the retry changed, except the failed attempt's own logs,
    # which the new attempt (the same attempt number: a reset node counts retries from 0)
    # replaces
    before, after = retried["before"], retried["after"]
    report_prefix = f"{NAME}/runs/{failed.workflow_name}/report/"
    changed = sorted(key for key in before if after.get(key) != before[key])
    assert changed == [f"{report_prefix}t/attempt-0/{stream}.log"
                       for stream in ("stderr", "stdout")]
    assert not [key for key in before if key not in after]
    # the successful tasks' records and every blob they reference are among the unchanged
    for step in FIRST:
        for task in store.list_tasks(failed.workflow_name, step):
            key = store.record_key(failed.workflow_name, step, task)
            assert key in before and after[key] == before[key]
            record = store.read_record(failed.workflow_name, step, task)
            for ref in record.artifacts.values():
                blob = [k for k in before if k.endswith(ref.hash)]
                assert blob and all(after[k] == before[k] for k in blob), ref
    # the new attempt is recorded, and its log is its own
    record = store.read_record(failed.workflow_name, "report", "t")
    assert record is not None and record.status == "ok" and record.attempt == 0
    assert "cannot" not in store.get_log(failed.workflow_name, "report", "t", 0, "stderr")


def test_the_retried_run_has_the_artifacts_of_a_clean_run(retried: dict[str, Any]) -> None:
    clean = retried["clean"]
    assert clean.phase == "Succeeded", clean.message
    assert artifacts(retried["datastore"], NAME, retried["again"].workflow_name, STEPS) == \
        artifacts(retried["clean_datastore"], NAME, clean.workflow_name, STEPS)


def test_a_failed_attempts_partial_artifacts_never_mix_into_the_retried_task(
        retried: dict[str, Any]) -> None:
    """The failed `report` stored `summary` and then failed: its blob exists, no record does,
    so the task did not happen; the retried task's record names only its own artifacts."""
    state, store = retried["state"], retried["store"]
    assert state["blob"], "the failed attempt stored its first artifact"
    assert not state["has_record"] and state["listed"] == []
    run_id = retried["failed"].workflow_name
    record = store.read_record(run_id, "report", "t")
    clean = TaskStore(open_datastore(str(retried["clean_datastore"])), NAME).read_record(
        retried["clean"].workflow_name, "report", "t")
    assert record is not None and clean is not None
    assert record.artifacts == clean.artifacts  # the same names and blobs: nothing left over
    failed_blob = serialize(FAILED_SUMMARY).digest()
    for step in STEPS:
        for task in store.list_tasks(run_id, step):
            refs = store.read_record(run_id, step, task).artifacts.values()
            assert failed_blob not in {ref.hash for ref in refs}, (step, task)
    assert store.load_artifact(record.artifacts["summary"]) == "total=14"


def _leaf(name: str, script: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "container": {"image": "busybox", "command": ["sh", "-c", script]},
            **extra}


def test_argo_retry_semantics_on_a_plain_workflow(tmp_path: Path) -> None:
    """Kept: a Succeeded task and a Succeeded loop child (a's output still feeds c). Run again:
    the Failed task, the Omitted task after it, the failed loop child. Each pod counts its runs
    in a file; `fixed` is the cause of the failures going away."""
    workdir = tmp_path / "run"
    counts, fixed = workdir / "counts", workdir / "fixed"
    counts.mkdir(parents=True)

    def count(name: str) -> str:
        return f"echo run >> {counts}/{name}"

    templates = [
        {"name": "main", "dag": {"tasks": [
            {"name": "a", "template": "a"},
            {"name": "b", "template": "b", "depends": "a"},
            {"name": "c", "template": "c", "depends": "b",
             "arguments": {"parameters": [{"name": "v",
                                           "value": "{{tasks.a.outputs.parameters.v}}"}]}},
            {"name": "loop", "template": "item", "depends": "a", "withItems": [1, 2],
             "arguments": {"parameters": [{"name": "i", "value": "{{item}}"}]}},
        ]}},
        _leaf("a", f"{count('a')}; echo out-a > /tmp/v",
              outputs={"parameters": [{"name": "v", "valueFrom": {"path": "/tmp/v"}}]}),
        _leaf("b", f"{count('b')}; test -e {fixed}"),
        _leaf("c", "echo got {{inputs.parameters.v}}",
              inputs={"parameters": [{"name": "v"}]}),
        _leaf("item", f"{count('item')}-{{{{inputs.parameters.i}}}}; "
              f"test {{{{inputs.parameters.i}}}} = 1 || test -e {fixed}",
              inputs={"parameters": [{"name": "i"}]}),
    ]
    document = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
                "metadata": {"generateName": "wf-"},
                "spec": {"entrypoint": "main", "templates": templates}}
    first = run_workflow(document, {}, workdir=workdir, time_scale=0.0)
    assert first.phase == "Failed"
    assert first.phases() == {"a": "Succeeded", "b": "Failed", "c": "Omitted",
                              "loop": "Failed", "loop(0:1)": "Succeeded",
                              "loop(1:2)": "Failed"}
    assert {n[len(first.workflow_name) + 1:] for n in kept_nodes(first)} == {"a", "loop(0:1)"}

    fixed.write_text("")
    again = retry_workflow(first, time_scale=0.0)
    assert again.phase == "Succeeded", again.message
    assert again.workflow_name == first.workflow_name
    assert set(again.phases().values()) == {"Succeeded"}
    runs = {path.name: len(path.read_text().split()) for path in counts.iterdir()}
    assert runs == {"a": 1, "item-1": 1, "b": 2, "item-2": 2}
    assert "got out-a" in again.node("c").logs  # the kept task's output, reused
    with pytest.raises(ValueError, match="must be Failed/Error"):
        retry_workflow(again)
