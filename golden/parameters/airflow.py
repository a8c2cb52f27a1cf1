"""ParametersFlow as an Airflow 3 DAG, written by `flowc compile --target airflow`.

Every task runs one step of the flow in flowc's runtime shim, in a pod (KubernetesPodOperator).
The shim reads the step's inputs from the datastore, writes its artifacts there, and returns
only small outputs through XCom: a foreach's number of children, a switch's choice.
Regenerate this file with flowc instead of editing it.
"""

from __future__ import annotations

import json

import pendulum
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.sdk import DAG, Asset, Param
from kubernetes.client import models as k8s

IMAGE = "ghcr.io/flowc-dev/flowc:0.1.0"
PYTHON = "python"
DATASTORE = "s3://flowc-examples/datastore"
CODE_PACKAGE = "94219195a56a36bfc8bf3e6dce2f2e4c7ee2f43c4fa9c953ce0161730251a7cb"


with DAG(
    dag_id="ParametersFlow",
    description="Parameters become artifacts of the start step; every one here has a default.",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    default_args={"retries": 0},
    user_defined_filters={"json": json.dumps},
    params={
        "greeting": Param("hello", type="string", description="the word to repeat"),
        "count": Param(3, type="integer", description="how many times"),
        "ratio": Param(0.5, type="number", description="scale applied to count"),
        "shout": Param(False, type="boolean", description="upper-case the message"),
        "style": Param({"sep": "-", "suffix": "!"}, description="how to join the words, as JSON"),
        "colors": Param("red,green,blue", type="string", description="comma-separated"),
        "owner": Param("ada", type="string", description="who runs this"),
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
            "--param", "greeting={{ params['greeting'] }}",
            "--param", "count={{ params['count'] }}",
            "--param", "ratio={{ params['ratio'] }}",
            "--param", "shout={{ params['shout'] | lower }}",
            "--param", "style={{ params['style'] | json }}",
            "--param", "colors={{ params['colors'] }}",
            "--param", "owner={{ params['owner'] }}",
            "--origin-run-id", "{{ params['flowc.origin_run'] }}",
            "--reuse-steps", "{{ params['flowc.reuse_steps'] }}",
        ],
        image=IMAGE,
        container_resources=k8s.V1ResourceRequirements(requests={"cpu": "1", "memory": "4096Mi"}),
        do_xcom_push=False,
    )
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
        outlets=[Asset("flowc-finished-ParametersFlow")],
        do_xcom_push=False,
    )
    start >> end
