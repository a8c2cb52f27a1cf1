"""BranchInForeachFlow as an Airflow 3 DAG, written by `flowc compile --target airflow`.

Every task runs one step of the flow in flowc's runtime shim, in a pod (KubernetesPodOperator).
The shim reads the step's inputs from the datastore, writes its artifacts there, and returns
only small outputs through XCom: a foreach's number of children, a switch's choice.
Regenerate this file with flowc instead of editing it.
"""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.sdk import DAG, Asset, Param, task, task_group
from airflow.sdk.exceptions import AirflowFailException
from kubernetes.client import models as k8s

IMAGE = "ghcr.io/flowc-dev/flowc:0.1.0"
PYTHON = "python"
DATASTORE = "s3://flowc-examples/datastore"
CODE_PACKAGE = "4940512d89c4a4f97db420265d31853a160772595859b0d1baa0b2a664b19116"
XCOM = "/airflow/xcom/return.json"
MAX_MAP_LENGTH = 1024


@task
def foreach_items(outputs: dict[str, Any] | list[dict[str, Any]]) -> list[str]:
    """The index paths of a foreach's children, from the XCom of the foreach task (a dict),
    or of every mapped task of a nested foreach's step (a list): task "t.0.2" has the index
    path "0,2", and its children "0,2,0", "0,2,1", ..."""
    items: list[str] = []
    for output in [outputs] if isinstance(outputs, dict) else outputs:
        parent = output["task_id"].split(".")[1:]
        items += [",".join([*parent, str(i)]) for i in range(output["foreach_cardinality"])]
    if len(items) > MAX_MAP_LENGTH:
        raise AirflowFailException(
            f"the foreach has {len(items)} tasks, more than core.max_map_length "
            f"({MAX_MAP_LENGTH}): raise that, then compile with --set max_map_length=N")
    return items



with DAG(
    dag_id="BranchInForeachFlow",
    description="start -> foreach number: prepare -> (double | square) -> combine -> gather -> end.",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    default_args={"retries": 0},
    params={
        "flowc.origin_run": Param("", type="string", description="flowc resume: the run whose finished tasks are reused"),
        "flowc.reuse_steps": Param("", type="string", description="flowc resume: the steps (a,b) whose tasks are reused"),
    },
    tags=["flowc"],
) as dag:
    start = KubernetesPodOperator(
        task_id="start",
        cmds=[PYTHON],
        arguments=[
            "-P", "-m", "flowc.runtime_shim", "step", "start",
            "--run-id", "{{ run_id }}",
            "--datastore", DATASTORE,
            "--code-package", CODE_PACKAGE,
            "--retry-count", "{{ ti.try_number - 1 }}",
            "--xcom-file", XCOM,
            "--origin-run-id", "{{ params['flowc.origin_run'] }}",
            "--reuse-steps", "{{ params['flowc.reuse_steps'] }}",
        ],
        image=IMAGE,
        container_resources=k8s.V1ResourceRequirements(requests={"cpu": "1", "memory": "4096Mi"}),
        do_xcom_push=True,
    )
    start_items = foreach_items.override(task_id="start_items")(start.output)

    @task_group(group_id="start_each")
    def start_each(index_path: str) -> None:
        """The body of foreach 'start', once per index path."""
        prepare = KubernetesPodOperator(
            task_id="prepare",
            cmds=[PYTHON],
            arguments=[
                "-P", "-m", "flowc.runtime_shim", "step", "prepare",
                "--run-id", "{{ run_id }}",
                "--datastore", DATASTORE,
                "--code-package", CODE_PACKAGE,
                "--index-path", index_path,
                "--retry-count", "{{ ti.try_number - 1 }}",
                "--origin-run-id", "{{ params['flowc.origin_run'] }}",
                "--reuse-steps", "{{ params['flowc.reuse_steps'] }}",
            ],
            image=IMAGE,
            container_resources=k8s.V1ResourceRequirements(requests={"cpu": "1", "memory": "4096Mi"}),
            do_xcom_push=False,
        )
        double = KubernetesPodOperator(
            task_id="double",
            cmds=[PYTHON],
            arguments=[
                "-P", "-m", "flowc.runtime_shim", "step", "double",
                "--run-id", "{{ run_id }}",
                "--datastore", DATASTORE,
                "--code-package", CODE_PACKAGE,
                "--index-path", index_path,
                "--retry-count", "{{ ti.try_number - 1 }}",
                "--origin-run-id", "{{ params['flowc.origin_run'] }}",
                "--reuse-steps", "{{ params['flowc.reuse_steps'] }}",
            ],
            image=IMAGE,
            container_resources=k8s.V1ResourceRequirements(requests={"cpu": "1", "memory": "4096Mi"}),
            do_xcom_push=False,
        )
        prepare >> double
        square = KubernetesPodOperator(
            task_id="square",
            cmds=[PYTHON],
            arguments=[
                "-P", "-m", "flowc.runtime_shim", "step", "square",
                "--run-id", "{{ run_id }}",
                "--datastore", DATASTORE,
                "--code-package", CODE_PACKAGE,
                "--index-path", index_path,
                "--retry-count", "{{ ti.try_number - 1 }}",
                "--origin-run-id", "{{ params['flowc.origin_run'] }}",
                "--reuse-steps", "{{ params['flowc.reuse_steps'] }}",
            ],
            image=IMAGE,
            container_resources=k8s.V1ResourceRequirements(requests={"cpu": "1", "memory": "4096Mi"}),
            do_xcom_push=False,
        )
        prepare >> square
        combine = KubernetesPodOperator(
            task_id="combine",
            cmds=[PYTHON],
            arguments=[
                "-P", "-m", "flowc.runtime_shim", "step", "combine",
                "--run-id", "{{ run_id }}",
                "--datastore", DATASTORE,
                "--code-package", CODE_PACKAGE,
                "--index-path", index_path,
                "--retry-count", "{{ ti.try_number - 1 }}",
                "--origin-run-id", "{{ params['flowc.origin_run'] }}",
                "--reuse-steps", "{{ params['flowc.reuse_steps'] }}",
            ],
            image=IMAGE,
            container_resources=k8s.V1ResourceRequirements(requests={"cpu": "1", "memory": "4096Mi"}),
            do_xcom_push=False,
        )
        [double, square] >> combine

    start_each_tasks = start_each.expand(index_path=start_items)
    gather = KubernetesPodOperator(
        task_id="gather",
        cmds=[PYTHON],
        arguments=[
            "-P", "-m", "flowc.runtime_shim", "step", "gather",
            "--run-id", "{{ run_id }}",
            "--datastore", DATASTORE,
            "--code-package", CODE_PACKAGE,
            "--retry-count", "{{ ti.try_number - 1 }}",
            "--origin-run-id", "{{ params['flowc.origin_run'] }}",
            "--reuse-steps", "{{ params['flowc.reuse_steps'] }}",
        ],
        image=IMAGE,
        container_resources=k8s.V1ResourceRequirements(requests={"cpu": "1", "memory": "4096Mi"}),
        trigger_rule="none_failed_min_one_success",
        do_xcom_push=False,
    )
    [start_each_tasks, start_items] >> gather
    end = KubernetesPodOperator(
        task_id="end",
        cmds=[PYTHON],
        arguments=[
            "-P", "-m", "flowc.runtime_shim", "step", "end",
            "--run-id", "{{ run_id }}",
            "--datastore", DATASTORE,
            "--code-package", CODE_PACKAGE,
            "--retry-count", "{{ ti.try_number - 1 }}",
            "--origin-run-id", "{{ params['flowc.origin_run'] }}",
            "--reuse-steps", "{{ params['flowc.reuse_steps'] }}",
        ],
        image=IMAGE,
        container_resources=k8s.V1ResourceRequirements(requests={"cpu": "1", "memory": "4096Mi"}),
        outlets=[Asset("flowc-finished-BranchInForeachFlow")],
        do_xcom_push=False,
    )
    gather >> end
