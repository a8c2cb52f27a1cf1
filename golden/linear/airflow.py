"""LinearFlow as an Airflow 3 DAG, written by `flowc compile --target airflow`.

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
CODE_PACKAGE = "b2145c9fa40d92fd73424b120ef724c0a4eea1e1efd05199a508475179315f64"


with DAG(
    dag_id="LinearFlow",
    description="A straight line of steps; each one reads the artifacts the previous one stored.",
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
    deduplicate = KubernetesPodOperator(
        task_id="deduplicate",
        cmds=[PYTHON],
        arguments=[
            "-P", "-m", "flowc.runtime_shim", "step", "deduplicate",
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
    start >> deduplicate
    square = KubernetesPodOperator(
        task_id="square",
        cmds=[PYTHON],
        arguments=[
            "-P", "-m", "flowc.runtime_shim", "step", "square",
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
    deduplicate >> square
    summarize = KubernetesPodOperator(
        task_id="summarize",
        cmds=[PYTHON],
        arguments=[
            "-P", "-m", "flowc.runtime_shim", "step", "summarize",
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
    square >> summarize
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
        outlets=[Asset("flowc-finished-LinearFlow")],
        do_xcom_push=False,
    )
    summarize >> end
