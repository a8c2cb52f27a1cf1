"""NestedBranchesFlow as an Airflow 3 DAG, written by `flowc compile --target airflow`.

Every task runs one step of the flow in flowc's runtime shim, in a pod (KubernetesPodOperator).
The shim reads the step's inputs from the datastore, writes its artifacts there, and returns
only small outputs through XCom: a foreach's number of children, a switch's choice.
Regenerate this file with flowc instead of editing it.
"""

from __future__ import annotations

import pendulum
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.sdk import DAG, Asset, Param
from kubernetes.client import models as k8s

IMAGE = "ghcr.io/flowc-dev/flowc:0.1.0"
PYTHON = "python"
DATASTORE = "s3://flowc-examples/datastore"
CODE_PACKAGE = "427bfcb7dec81dd928c462b04ad2455b88b53ec208bb20be3ed5b3203070cca9"


with DAG(
    dag_id="NestedBranchesFlow",
    description="start -> (fruits -> (apples | pears) -> join_fruits | vegetables) -> join_all -> end.",
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
            "--origin-run-id", "{{ params['flowc.origin_run'] }}",
            "--reuse-steps", "{{ params['flowc.reuse_steps'] }}",
        ],
        image=IMAGE,
        container_resources=k8s.V1ResourceRequirements(requests={"cpu": "1", "memory": "4096Mi"}),
        do_xcom_push=False,
    )
    fruits = KubernetesPodOperator(
        task_id="fruits",
        cmds=[PYTHON],
        arguments=[
            "-P", "-m", "flowc.runtime_shim", "step", "fruits",
            "--run-id", "{{ run_id }}",
            "--datastore", DATASTORE,
            "--code-package", CODE_PACKAGE,
            "--retry-count", "{{ ti.try_number - 1 }}",
            "--origin-run-id", "{{ params['flowc.origin_run'] }}",
            "--reuse-steps", "{{ params['flowc.reuse_steps'] }}",
        ],
        image=IMAGE,
        container_resources=k8s.V1ResourceRequirements(requests={"cpu": "1", "memory": "4096Mi"}),
        do_xcom_push=False,
    )
    start >> fruits
    apples = KubernetesPodOperator(
        task_id="apples",
        cmds=[PYTHON],
        arguments=[
            "-P", "-m", "flowc.runtime_shim", "step", "apples",
            "--run-id", "{{ run_id }}",
            "--datastore", DATASTORE,
            "--code-package", CODE_PACKAGE,
            "--retry-count", "{{ ti.try_number - 1 }}",
            "--origin-run-id", "{{ params['flowc.origin_run'] }}",
            "--reuse-steps", "{{ params['flowc.reuse_steps'] }}",
        ],
        image=IMAGE,
        container_resources=k8s.V1ResourceRequirements(requests={"cpu": "1", "memory": "4096Mi"}),
        do_xcom_push=False,
    )
    fruits >> apples
    pears = KubernetesPodOperator(
        task_id="pears",
        cmds=[PYTHON],
        arguments=[
            "-P", "-m", "flowc.runtime_shim", "step", "pears",
            "--run-id", "{{ run_id }}",
            "--datastore", DATASTORE,
            "--code-package", CODE_PACKAGE,
            "--retry-count", "{{ ti.try_number - 1 }}",
            "--origin-run-id", "{{ params['flowc.origin_run'] }}",
            "--reuse-steps", "{{ params['flowc.reuse_steps'] }}",
        ],
        image=IMAGE,
        container_resources=k8s.V1ResourceRequirements(requests={"cpu": "1", "memory": "4096Mi"}),
        do_xcom_push=False,
    )
    fruits >> pears
    join_fruits = KubernetesPodOperator(
        task_id="join_fruits",
        cmds=[PYTHON],
        arguments=[
            "-P", "-m", "flowc.runtime_shim", "step", "join_fruits",
            "--run-id", "{{ run_id }}",
            "--datastore", DATASTORE,
            "--code-package", CODE_PACKAGE,
            "--retry-count", "{{ ti.try_number - 1 }}",
            "--origin-run-id", "{{ params['flowc.origin_run'] }}",
            "--reuse-steps", "{{ params['flowc.reuse_steps'] }}",
        ],
        image=IMAGE,
        container_resources=k8s.V1ResourceRequirements(requests={"cpu": "1", "memory": "4096Mi"}),
        do_xcom_push=False,
    )
    [apples, pears] >> join_fruits
    vegetables = KubernetesPodOperator(
        task_id="vegetables",
        cmds=[PYTHON],
        arguments=[
            "-P", "-m", "flowc.runtime_shim", "step", "vegetables",
            "--run-id", "{{ run_id }}",
            "--datastore", DATASTORE,
            "--code-package", CODE_PACKAGE,
            "--retry-count", "{{ ti.try_number - 1 }}",
            "--origin-run-id", "{{ params['flowc.origin_run'] }}",
            "--reuse-steps", "{{ params['flowc.reuse_steps'] }}",
        ],
        image=IMAGE,
        container_resources=k8s.V1ResourceRequirements(requests={"cpu": "1", "memory": "4096Mi"}),
        do_xcom_push=False,
    )
    start >> vegetables
    join_all = KubernetesPodOperator(
        task_id="join_all",
        cmds=[PYTHON],
        arguments=[
            "-P", "-m", "flowc.runtime_shim", "step", "join_all",
            "--run-id", "{{ run_id }}",
            "--datastore", DATASTORE,
            "--code-package", CODE_PACKAGE,
            "--retry-count", "{{ ti.try_number - 1 }}",
            "--origin-run-id", "{{ params['flowc.origin_run'] }}",
            "--reuse-steps", "{{ params['flowc.reuse_steps'] }}",
        ],
        image=IMAGE,
        container_resources=k8s.V1ResourceRequirements(requests={"cpu": "1", "memory": "4096Mi"}),
        do_xcom_push=False,
    )
    [join_fruits, vegetables] >> join_all
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
        outlets=[Asset("flowc-finished-NestedBranchesFlow")],
        do_xcom_push=False,
    )
    join_all >> end
