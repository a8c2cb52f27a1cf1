"""Every example runs end to end through its compiled `sfn.json` on the Step Functions harness
(tests/sfn: aws-local-stepfunctions 3 on Node 22, each Batch task a local process, moto's S3
as the datastore the `getObject` states read) and ends with the same artifacts, task by task,
as `flowc run`. Also: a failing-once step shows `Retry` with `$$.State.RetryCount` reaching
the shim, and a 1,000-way foreach fans out through a Map.

The foreach Maps the emitter writes are DISTRIBUTED over `ItemsPath`, which the harness runs
as child executions of an inline Map (see test_sfn_exec_maps for every Map form)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flowc.compiler import check_file
from flowc.runtime_shim.client import Step
from flowc.runtime_shim.contracts.run_id import new_run_id
from flowc.runtime_shim.datastore import open_datastore
from flowc.runtime_shim.records import TaskStore
from sfn.harness import Execution, run_execution
from test_argo_run import _comparable, artifacts, local_run, upload_code

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
FOREACH_EXAMPLES = [path for path in EXAMPLES
                    if '"Type": "Map"' in (ROOT / "golden" / path.stem / "sfn.json").read_text()]
FLOWC = str(Path(sys.executable).with_name("flowc"))

pytestmark = pytest.mark.slow


def compile_sfn(flow: Path, datastore: str, out: Path, *extra: str) -> dict[str, Any]:
    done = subprocess.run(
        [FLOWC, "compile", str(flow), "--target", "sfn", "-o", str(out),
         "--set", f"datastore={datastore}", "--set", f"python={sys.executable}",
         "--set", "job_queue=flowc-test", "--set", "job_definition=flowc-test", *extra],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    definition: dict[str, Any] = json.loads((out / "sfn.json").read_text(encoding="utf-8"))
    return definition


def run_on_sfn(flow: Path, workdir: Path, datastore: str, endpoint: str,
               parameters: dict[str, Any] | None = None, *extra: str,
               **options: Any) -> tuple[Execution, str]:
    """Compile, upload the code package, start an execution named by a fresh run id."""
    definition = compile_sfn(flow, datastore, workdir / "compiled", *extra)
    upload_code_to(flow, datastore)
    run_id = new_run_id()
    execution = run_execution(definition, {"parameters": parameters or {}},
                              execution_name=run_id, s3_endpoint=endpoint,
                              workdir=workdir / "sfn", **options)
    return execution, run_id


def upload_code_to(flow: Path, datastore: str) -> str:
    return upload_code(flow, datastore)  # type: ignore[arg-type]  # a URL works as well


LocalRuns = Callable[[Path], tuple[Path, str]]


@pytest.fixture(scope="module")
def local_runs(tmp_path_factory: pytest.TempPathFactory) -> LocalRuns:
    """`flowc run` of an example, once per module (its datastore and run id)."""
    done: dict[Path, tuple[Path, str]] = {}

    def run(example: Path) -> tuple[Path, str]:
        if example not in done:
            datastore = tmp_path_factory.mktemp(f"local-{example.stem}") / "ds"
            done[example] = (datastore, local_run(example, datastore))
        return done[example]
    return run


@pytest.mark.parametrize("example", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_every_example_runs_on_sfn_with_the_artifacts_of_a_local_run(
        example: Path, tmp_path: Path, aws_env: str, s3_url: str, local_runs: LocalRuns) -> None:
    runs_like_a_local_run(example, tmp_path, aws_env, s3_url, local_runs)


@pytest.mark.parametrize("example", FOREACH_EXAMPLES, ids=[path.stem for path in FOREACH_EXAMPLES])
def test_foreach_examples_run_with_item_readers_over_the_shims_lists(
        example: Path, tmp_path: Path, aws_env: str, s3_url: str, local_runs: LocalRuns) -> None:
    """`map_items = s3`: each foreach Map is DISTRIBUTED with an S3 ItemReader over the list the
    shim writes and a ResultWriter (the harness reads and writes them; see
    test_sfn_exec_maps for how they agree with moto). Tasks come from the fork server."""
    assert len(FOREACH_EXAMPLES) >= 5
    execution = runs_like_a_local_run(example, tmp_path, aws_env, s3_url, local_runs,
                                      "--set", "map_items=s3", fork_server=True)
    assert execution.status == "SUCCEEDED"


def test_the_fork_server_runs_a_task_as_its_own_process_would(
        tmp_path: Path, aws_env: str, s3_url: str, local_runs: LocalRuns) -> None:
    """The 1,000-way test forks tasks from a warm interpreter; here the example with hostile
    @environment values and parameter defaults gives the local run's artifacts that way too."""
    execution = runs_like_a_local_run(ROOT / "examples/hostile_strings.py", tmp_path, aws_env,
                                      s3_url, local_runs, fork_server=True)
    assert {task.state for task in execution.tasks} >= {"start", "braces", "end"}


def runs_like_a_local_run(example: Path, tmp_path: Path, aws_env: str, s3_url: str,
                          local_runs: LocalRuns, *compile_options: str,
                          **options: Any) -> Execution:
    checked = check_file(example).checked
    assert checked is not None
    execution, run_id = run_on_sfn(example, tmp_path, s3_url, aws_env, None, *compile_options,
                                   **options)
    if "map_items=s3" in compile_options:
        assert '"ItemReader"' in (tmp_path / "compiled" / "sfn.json").read_text()
    assert execution.status == "SUCCEEDED", execution.explain()
    steps = [step.name for step in checked.flow.steps]
    on_sfn = artifacts(s3_url, checked.flow.name, run_id, steps)  # type: ignore[arg-type]
    local_datastore, local_run_id = local_runs(example)
    locally = artifacts(local_datastore, checked.flow.name, local_run_id, steps)
    assert set(on_sfn) == set(locally), "the same tasks ran"
    for key, values in locally.items():
        assert _comparable(on_sfn[key]) == _comparable(values), key
    return execution


@pytest.mark.parametrize("fork_server", [False, True], ids=["processes", "fork-server"])
def test_a_failing_once_step_is_retried_by_the_state_machine(
        tmp_path: Path, aws_env: str, s3_url: str, fork_server: bool) -> None:
    flow = ROOT / "tests/runner_flows/retry_once.py"
    execution, run_id = run_on_sfn(flow, tmp_path, s3_url, aws_env,
                                   {"marker": str(tmp_path / "marker")}, fork_server=fork_server)
    assert execution.status == "SUCCEEDED", execution.explain()
    flaky = execution.runs_of("flaky")
    assert [(run.exit_code, run.option("--retry-count")) for run in flaky] == [(1, "0"), (0, "1")]
    assert ("StateRetried", "flaky") in [(e["type"], e["state"]) for e in execution.events]
    record = TaskStore(open_datastore(s3_url), "RetryOnceFlow").read_record(run_id, "flaky", "t")
    assert record is not None and record.attempt == 1  # $$.State.RetryCount reached the shim


def test_a_thousand_way_foreach_fans_out_through_a_map(
        tmp_path: Path, aws_env: str, s3_url: str) -> None:
    flow = ROOT / "tests/runner_flows/wide_foreach.py"
    execution, run_id = run_on_sfn(flow, tmp_path, s3_url, aws_env, max_processes=2,
                                   fork_server=True)
    assert execution.status == "SUCCEEDED", execution.explain()
    assert len(execution.runs_of("square")) == 1000
    join = Step(TaskStore(open_datastore(s3_url), "WideForeachFlow"), run_id, "join").task
    assert join.data.count == 1000 and join.data.total == sum(i * i for i in range(1000))
