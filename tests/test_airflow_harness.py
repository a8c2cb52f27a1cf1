"""The Airflow harness itself (tests/airflow), on hand-written DAG files that run the real
runtime shim, so that a failure here is the harness's and not the emitter's: a BashOperator
form (the shim as a process on the worker) with a failing-once step retried by Airflow, and a
KubernetesPodOperator form (the pod as a local process, its return.json as XCom) with a mapped
foreach that ends with the artifacts of `flowc run`."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from airflow.flows import (
    assert_same_artifacts,
    local_runs_dir,
    only_run_id,
    record,
    shim_argv,
    upload_code,
)
from airflow.harness import run_batch

ROOT = Path(__file__).resolve().parent.parent
RETRY_ONCE = ROOT / "tests/runner_flows/retry_once.py"
FOREACH = ROOT / "examples/foreach.py"

pytestmark = pytest.mark.slow

BASH_DAG = '''
from datetime import timedelta

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

SHIM = {shim!r}
COMMON = " --run-id '{{{{ run_id }}}}' --retry-count {{{{ ti.try_number - 1 }}}}" + {common!r}

with DAG({dag_id!r}, schedule=None, catchup=False):
    start = BashOperator(task_id="start",
                         bash_command=SHIM + " step start" + COMMON + {param!r})
    flaky = BashOperator(task_id="flaky", bash_command=SHIM + " step flaky" + COMMON,
                         retries=2, retry_delay=timedelta(minutes=5))
    end = BashOperator(task_id="end", bash_command=SHIM + " step end" + COMMON)
    start >> flaky >> end
'''


def bash_dag(dag_id: str, datastore: Path, digest: str, marker: Path) -> str:
    common = f" --datastore {shlex.quote(str(datastore))} --code-package {digest}"
    return BASH_DAG.format(shim=shlex.join(shim_argv()), common=common, dag_id=dag_id,
                           param=" --param " + shlex.quote(f"marker={marker}"))


KPO_DAG = '''
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.sdk import DAG, get_current_context, task

SHIM = {shim!r}
COMMON = ["--datastore", {datastore!r}, "--code-package", {digest!r},
          "--xcom-file", "/airflow/xcom/return.json"]


def pod(step, **kwargs):
    return KubernetesPodOperator(
        task_id=step, image="flowc-test:1", cmds=SHIM, do_xcom_push=True,
        arguments=["step", step, "--run-id", "{{{{ run_id }}}}", *COMMON],
        env_vars={{"FLOWC_PROBE": "{{{{ run_id }}}}"}}, **kwargs)


@task
def measure_arguments(outputs):
    run_id = get_current_context()["run_id"]
    return [["step", "measure", "--run-id", run_id, "--index-path", f",{{index}}", *COMMON]
            for index in outputs["foreach_indices"]]


with DAG({dag_id!r}, schedule=None, catchup=False):
    start = pod("start")
    measure = KubernetesPodOperator.partial(
        task_id="measure", image="flowc-test:1", cmds=SHIM, do_xcom_push=True,
    ).expand(arguments=measure_arguments(start.output))
    join, end = pod("join"), pod("end")
    measure >> join >> end
'''


def kpo_dag(dag_id: str, datastore: Path, digest: str) -> str:
    return KPO_DAG.format(shim=shim_argv(), datastore=str(datastore), digest=digest,
                          dag_id=dag_id)


def test_a_batch_runs_the_shim_in_both_operator_forms_with_a_retry(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> None:
    retry_ds, foreach_ds = tmp_path / "retry-ds", tmp_path / "foreach-ds"
    retry_ds.mkdir(), foreach_ds.mkdir()
    marker = tmp_path / "marker"
    files = {"retry_once.py": bash_dag("retry_once", retry_ds, upload_code(RETRY_ONCE, retry_ds),
                                       marker),
             "foreach.py": kpo_dag("foreach_kpo", foreach_ds, upload_code(FOREACH, foreach_ds))}
    result = run_batch(files, tmp_path / "batch", tmp_path_factory.getbasetemp(),
                       runs=[("retry_once", {}), ("foreach_kpo", {})])
    assert result.import_errors == {}
    assert result.dags["retry_once"]["tasks"]["flaky"]["retries"] == 2
    assert result.dags["retry_once"]["tasks"]["flaky"]["retry_delay"] == 300  # as written

    retried = result.run("retry_once")
    assert retried.state == "success", retried.explain()
    assert [(t.state, t.try_number) for t in retried.instances("flaky")] == [("success", 2)]
    run_id = only_run_id(retry_ds, "RetryOnceFlow")
    assert run_id == retried.run_id  # the shim got Airflow's {{ run_id }} unchanged
    assert record(retry_ds, "RetryOnceFlow", run_id, "flaky", "t").attempt == 1
    # BashOperator pushes the last line of stdout + stderr: the shim's stderr "ok" line
    assert retried.xcom["start[-1]"].endswith(f"RetryOnceFlow/{run_id}/start/t ok")

    mapped = result.run("foreach_kpo")
    assert mapped.state == "success", mapped.explain()
    assert sorted(t.map_index for t in mapped.instances("measure")) == [0, 1, 2, 3]
    assert mapped.xcom["start[-1]"]["foreach_cardinality"] == 4  # return.json, parsed
    pods = {p.parent.name: json.loads(p.read_text())
            for p in (tmp_path / "batch/pods").glob("*/pod.json")}
    start_pod = pods["foreach_kpo.start.-1.1"]
    assert start_pod["pod"]["spec"]["containers"][0]["image"] == "flowc-test:1"
    assert start_pod["env"]["FLOWC_PROBE"] == mapped.run_id
    assert start_pod["exit_code"] == 0 and "foreach_kpo.measure.3.1" in pods
    assert_same_artifacts(FOREACH, foreach_ds, mapped.run_id,
                          local_runs_dir(tmp_path_factory, worker_id))
