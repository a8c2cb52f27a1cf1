"""HostileStringsFlow as an Airflow 3 DAG, written by `flowc compile --target airflow`.

Every task runs one step of the flow in flowc's runtime shim, in a pod (KubernetesPodOperator).
The shim reads the step's inputs from the datastore, writes its artifacts there, and returns
only small outputs through XCom: a foreach's number of children, a switch's choice.
Regenerate this file with flowc instead of editing it.
"""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.sdk import DAG, Asset, Param, literal, task
from airflow.sdk.exceptions import AirflowSkipException
from kubernetes.client import models as k8s

IMAGE = "ghcr.io/flowc-dev/flowc:0.1.0"
PYTHON = "python"
DATASTORE = "s3://flowc-examples/datastore"
CODE_PACKAGE = "09a3de3eaa9006f1dc5e71388de1fe938dfe1acea9803f232b239955d278627c"
XCOM = "/airflow/xcom/return.json"


@task
def chosen(outputs: dict[str, Any], target: str) -> None:
    """Go on into a switch's case only if the switch step chose it (its XCom's switch_target
    names the case's first step); otherwise skip the case."""
    if outputs["switch_target"] != target:
        raise AirflowSkipException(f"the switch chose {outputs['switch_target']}")



with DAG(
    dag_id="HostileStringsFlow",
    description='A docstring with {{workflow.name}}, ${HOME}, $(date), \'quotes\' "everywhere" and """.',
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    default_args={"retries": 0},
    params={
        "note": Param('it\'s "quoted"\nline two $(echo pwned) `uname` \\ back\\slash — café ✓ ; rm -rf /', type="string", description="help with {{inputs.parameters.x}} and $(id)"),
        "label": Param('naïve: \'single\' & "double" \\ % {braces}', type="string", description="a label, {% raw %}{{ run_id }}{% endraw %} and {# no comment #}"),
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
            "--param", "note={{ params['note'] }}",
            "--param", "label={{ params['label'] }}",
            "--xcom-file", XCOM,
            "--origin-run-id", "{{ params['flowc.origin_run'] }}",
            "--reuse-steps", "{{ params['flowc.reuse_steps'] }}",
        ],
        image=IMAGE,
        env_vars={"HOSTILE": literal('{{workflow.uid}} $(whoami) \'q\' "dq" \\n é'), "PLAIN": "plain value"},
        container_resources=k8s.V1ResourceRequirements(requests={"cpu": "1", "memory": "4096Mi"}),
        do_xcom_push=True,
    )
    start_case_braces = chosen.override(task_id="start_case_braces")(start.output, "braces")
    braces = KubernetesPodOperator(
        task_id="braces",
        cmds=[PYTHON],
        arguments=[
            "-P", "-m", "flowc.runtime_shim", "step", "braces",
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
    start_case_braces >> braces
    start_case_plain = chosen.override(task_id="start_case_plain")(start.output, "plain")
    plain = KubernetesPodOperator(
        task_id="plain",
        cmds=[PYTHON],
        arguments=[
            "-P", "-m", "flowc.runtime_shim", "step", "plain",
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
    start_case_plain >> plain
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
        trigger_rule="none_failed_min_one_success",
        outlets=[Asset("flowc-finished-HostileStringsFlow")],
        do_xcom_push=False,
    )
    [braces, plain] >> end
