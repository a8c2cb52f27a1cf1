"""One container template per step: the shim's command line (built by `targets.base`), the
step's typed settings as Kubernetes fields (resources, env, secrets, node selector,
tolerations, labels, annotations, image), `@retry` as `retryStrategy` and `@timeout` as
`activeDeadlineSeconds`, and the outputs the DAG reads back as output parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flowc.compiler.ir.decorators import StepSettings
from flowc.compiler.ir.graph import NodeKind
from flowc.targets.argo.dag import CARDINALITY, CHOICE
from flowc.targets.argo.names import (
    CODE_PACKAGE_PARAMETER,
    ORIGIN_RUN_PARAMETER,
    REUSE_STEPS_PARAMETER,
)
from flowc.targets.argo.settings import ArgoSettings
from flowc.targets.base import shim_command
from flowc.targets.lower import LoweredStep
from flowc.targets.yaml_text import Inline

OUTPUTS_DIR = "/tmp/flowc/outputs"  # inside the pod: the shim writes one file per output
CODE_PACKAGE = f"{{{{workflow.parameters.{CODE_PACKAGE_PARAMETER}}}}}"
ORIGIN_RUN = f"{{{{workflow.parameters.{ORIGIN_RUN_PARAMETER}}}}}"
REUSE_STEPS = f"{{{{workflow.parameters.{REUSE_STEPS_PARAMETER}}}}}"
NOT_RETRIED = "asInt(lastRetry.exitCode) != 2 && asInt(lastRetry.exitCode) != 130"


def _quantity_mb(megabytes: int) -> str:
    return f"{megabytes}Mi"


def _cpu(cpu: float) -> str:
    return str(int(cpu)) if float(cpu).is_integer() else f"{round(cpu * 1000)}m"


def resources(settings: StepSettings) -> dict[str, Any]:
    """Requests for cpu, memory and disk; the GPU as a limit (Kubernetes requires it there)."""
    sizing = settings.resources
    requests: dict[str, str] = {"cpu": _cpu(sizing.cpu), "memory": _quantity_mb(sizing.memory_mb)}
    if sizing.disk_mb is not None:
        requests["ephemeral-storage"] = _quantity_mb(sizing.disk_mb)
    result: dict[str, Any] = {"requests": requests}
    if sizing.gpu:
        vendor = (settings.kubernetes.gpu_vendor if settings.kubernetes else None) or "nvidia"
        result["limits"] = {f"{vendor.lower()}.com/gpu": str(sizing.gpu)}
    return result


def outputs(lowered_step: LoweredStep) -> list[dict[str, Any]]:
    """The output parameters the DAG reads from this step: a foreach's cardinality, a
    switch's chosen next step."""
    kind = lowered_step.node.kind
    names = [CARDINALITY] if kind is NodeKind.FOREACH else [CHOICE] if kind is NodeKind.SWITCH \
        else []
    return [{"name": name, "valueFrom": {"path": f"{OUTPUTS_DIR}/{name}"}} for name in names]


def container_template(name: str, lowered_step: LoweredStep, settings: StepSettings,
                       argo: ArgoSettings, *, inputs: tuple[str, ...],
                       parameters: tuple[str, ...],
                       argo_parameter: Mapping[str, str]) -> dict[str, Any]:
    """The template `name` that runs `lowered_step`'s tasks. `inputs`: the template's input
    parameters (index-path, iteration); `parameters`: the flow parameters it passes to the
    shim (the start step only), read from the workflow's arguments."""
    kubernetes = settings.kubernetes
    argv = shim_command(
        run_id="{{workflow.name}}",
        step=lowered_step.name,
        datastore=argo.datastore,
        code_package=CODE_PACKAGE,
        index_path="{{inputs.parameters.index-path}}" if "index-path" in inputs else (),
        iteration="{{inputs.parameters.iteration}}" if "iteration" in inputs else 0,
        retry_count="{{retries}}" if settings.retry else 0,
        params=[(p, f"{{{{workflow.parameters.{argo_parameter[p]}}}}}") for p in parameters],
        outputs_dir=OUTPUTS_DIR if outputs(lowered_step) else None,
        origin_run_id=ORIGIN_RUN,
        reuse_steps=REUSE_STEPS,
        python=argo.python,
    )
    container: dict[str, Any] = {
        "image": (kubernetes.image if kubernetes and kubernetes.image else argo.image),
        "command": Inline(argv),
    }
    pull_policy = (kubernetes.image_pull_policy if kubernetes else None) or argo.image_pull_policy
    if pull_policy:
        container["imagePullPolicy"] = pull_policy
    # A value Argo would read as an expression stays out of `env`: the shim sets every
    # @environment variable itself (docs/targets/argo.md, "User strings").
    env = [*argo.s3_limits_env(), *((key, value) for key, value in settings.environment.variables
                                    if "{{" not in value and "}}" not in value)]
    if env:
        container["env"] = [{"name": key, "value": value} for key, value in env]
    secret_names = (*settings.secrets.sources, *(kubernetes.secrets if kubernetes else ()))
    if secret_names:
        container["envFrom"] = [{"secretRef": {"name": secret}}
                                for secret in dict.fromkeys(secret_names)]
    container["resources"] = resources(settings)
    template: dict[str, Any] = {"name": name}
    if inputs:
        template["inputs"] = {"parameters": [{"name": item} for item in inputs]}
    produced = outputs(lowered_step)
    if produced:
        template["outputs"] = {"parameters": produced}
    if kubernetes and (kubernetes.labels or kubernetes.annotations):
        metadata: dict[str, Any] = {}
        if kubernetes.labels:
            metadata["labels"] = dict(kubernetes.labels)
        if kubernetes.annotations:
            metadata["annotations"] = dict(kubernetes.annotations)
        template["metadata"] = metadata
    if kubernetes and kubernetes.node_selector:
        template["nodeSelector"] = dict(kubernetes.node_selector)
    if kubernetes and kubernetes.tolerations:
        template["tolerations"] = [dict(toleration) for toleration in kubernetes.tolerations]
    if kubernetes and kubernetes.service_account:
        template["serviceAccountName"] = kubernetes.service_account
    if settings.retry:
        # Exit 2 (bad invocation) and 130 (interrupted) are never retried (task contract).
        strategy: dict[str, Any] = {"limit": settings.retry.times, "retryPolicy": "Always",
                                    "expression": NOT_RETRIED}
        if settings.retry.delay_s:
            strategy["backoff"] = {"duration": f"{settings.retry.delay_s}s"}
        template["retryStrategy"] = strategy
    if settings.timeout:
        template["activeDeadlineSeconds"] = settings.timeout.seconds
    template["container"] = container
    return template
