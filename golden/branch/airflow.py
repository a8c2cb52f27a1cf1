"""BranchFlow as an Airflow 3 DAG, written by `flowc compile --target airflow`.

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
CODE_PACKAGE = "57d1ba3bf6a4e929075d71dcc2a8d6a5d78a6f6719c722a1f8add4407d2954a8"


with DAG(
    dag_id="BranchFlow",
    description="start splits into count_words and count_letters; join merges what both found.",
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
    count_words = KubernetesPodOperator(
        task_id="count_words",
        cmds=[PYTHON],
        arguments=[
            "-P", "-m", "flowc.runtime_shim", "step", "count_words",
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
    start >> count_words
    count_letters = KubernetesPodOperator(
        task_id="count_letters",
        cmds=[PYTHON],
        arguments=[
            "-P", "-m", "flowc.runtime_shim", "step", "count_letters",
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
    start >> count_letters
    join = KubernetesPodOperator(
        task_id="join",
        cmds=[PYTHON],
        arguments=[
            "-P", "-m", "flowc.runtime_shim", "step", "join",
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
    [count_words, count_letters] >> join
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
        outlets=[Asset("flowc-finished-BranchFlow")],
        do_xcom_push=False,
    )
    join >> end
