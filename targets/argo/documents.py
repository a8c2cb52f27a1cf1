"""The documents of `argo.yaml`: the `WorkflowTemplate` (parameters, templates, labels), a
`CronWorkflow` for `@schedule` (cron and timezone), and an Argo Events `Sensor` that submits
a workflow from the template for `@trigger` / `@trigger_on_finish`. Rendered as YAML with a
fixed key order, so the same flow and settings give the same bytes.
"""

from __future__ import annotations

from typing import Any

from flowc.compiler.ir.decorators import flow_settings
from flowc.runtime_shim.contracts.parameters import raw_default
from flowc.targets.argo.names import (
    CODE_PACKAGE_PARAMETER,
    DEPENDENCY,
    LABEL,
    ORIGIN_RUN_PARAMETER,
    REUSE_STEPS_PARAMETER,
    ArgoNames,
)
from flowc.targets.argo.settings import ArgoSettings
from flowc.targets.lower import Lowered
from flowc.targets.yaml_text import dump_all

API_VERSION = "argoproj.io/v1alpha1"
EVENTS_API_VERSION = "argoproj.io/v1alpha1"
FINISHED_EVENT = "flowc-finished-{flow}"  # the event a flow's end publishes (docs/targets/argo.md)


def _prose(text: str) -> str:
    """Free text (a parameter's help) kept out of Argo's templating: `{{` cannot be escaped."""
    return text.replace("{{", "{ {").replace("}}", "} }")


def _labels(lowered: Lowered) -> dict[str, str]:
    labels = {"app.kubernetes.io/managed-by": "flowc",
              "flowc.dev/flow": LABEL.fit(lowered.flow.name)}
    project = flow_settings(lowered.flow).project
    if project is not None:
        labels["flowc.dev/project"] = LABEL.fit(project.name)
    return labels


def _arguments(lowered: Lowered, settings: ArgoSettings, names: ArgoNames) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = []
    for parameter in lowered.flow.parameters:
        entry: dict[str, Any] = {"name": names.parameters[parameter.name]}
        default = raw_default(parameter)
        if default is not None:
            entry["value"] = default
        if parameter.help:
            entry["description"] = _prose(parameter.help)
        parameters.append(entry)
    parameters.append({"name": CODE_PACKAGE_PARAMETER, "value": settings.code_package or "",
                       "description": "the flow's code package in the datastore"})
    parameters.append({"name": ORIGIN_RUN_PARAMETER, "value": "",
                       "description": "flowc resume: the run whose finished tasks are reused"})
    parameters.append({"name": REUSE_STEPS_PARAMETER, "value": "",
                       "description": "flowc resume: the steps (a,b) whose tasks are reused"})
    return {"parameters": parameters}


def workflow_template(lowered: Lowered, settings: ArgoSettings, names: ArgoNames,
                      templates: list[dict[str, Any]]) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": names.workflow_template}
    if settings.namespace:
        metadata["namespace"] = settings.namespace
    metadata["labels"] = _labels(lowered)
    spec: dict[str, Any] = {"entrypoint": names.entrypoint,
                            "arguments": _arguments(lowered, settings, names)}
    if settings.service_account:
        spec["serviceAccountName"] = settings.service_account
    if settings.image_pull_secrets:
        spec["imagePullSecrets"] = [{"name": name} for name in settings.image_pull_secrets]
    if settings.max_parallel:
        spec["parallelism"] = settings.max_parallel
    spec["workflowMetadata"] = {"labels": _labels(lowered)}
    spec["templates"] = templates
    return {"apiVersion": API_VERSION, "kind": "WorkflowTemplate", "metadata": metadata,
            "spec": spec}


def cron_workflow(lowered: Lowered, settings: ArgoSettings,
                  names: ArgoNames) -> dict[str, Any] | None:
    schedule = flow_settings(lowered.flow).schedule
    if schedule is None:
        return None
    metadata: dict[str, Any] = {"name": names.cron_workflow}
    if settings.namespace:
        metadata["namespace"] = settings.namespace
    metadata["labels"] = _labels(lowered)
    spec: dict[str, Any] = {"schedules": [schedule.cron]}
    if schedule.timezone:
        spec["timezone"] = schedule.timezone
    spec["concurrencyPolicy"] = "Allow"
    spec["workflowSpec"] = {"workflowTemplateRef": {"name": names.workflow_template}}
    return {"apiVersion": API_VERSION, "kind": "CronWorkflow", "metadata": metadata,
            "spec": spec}


def sensor(lowered: Lowered, settings: ArgoSettings, names: ArgoNames) -> dict[str, Any] | None:
    """One dependency per event (`@trigger`) or finished flow (`@trigger_on_finish`); any of
    them submits a workflow from the template."""
    decorators = flow_settings(lowered.flow)
    events: list[str] = []
    if decorators.trigger is not None:
        events += [event.name for event in decorators.trigger.events]
    if decorators.trigger_on_finish is not None:
        events += [FINISHED_EVENT.format(flow=flow) for flow in decorators.trigger_on_finish.flows]
    if not events:
        return None
    dependencies = [{"name": DEPENDENCY.fit(event),
                     "eventSourceName": settings.event_source, "eventName": event}
                    for event in events]
    workflow = {"apiVersion": API_VERSION, "kind": "Workflow",
                "metadata": {"generateName": f"{names.workflow_template}-"},
                "spec": {"workflowTemplateRef": {"name": names.workflow_template}}}
    metadata: dict[str, Any] = {"name": names.workflow_template}
    if settings.namespace:
        metadata["namespace"] = settings.namespace
    metadata["labels"] = _labels(lowered)
    spec: dict[str, Any] = {"dependencies": dependencies}
    if settings.service_account:
        spec["template"] = {"serviceAccountName": settings.service_account}
    spec["triggers"] = [{"template": {
        "name": "submit",
        "conditions": " || ".join(d["name"] for d in dependencies),
        "argoWorkflow": {"operation": "submit", "source": {"resource": workflow}},
    }}]
    return {"apiVersion": EVENTS_API_VERSION, "kind": "Sensor", "metadata": metadata,
            "spec": spec}


def render(lowered: Lowered, settings: ArgoSettings, names: ArgoNames,
           templates: list[dict[str, Any]]) -> str:
    documents = [workflow_template(lowered, settings, names, templates),
                 cron_workflow(lowered, settings, names), sensor(lowered, settings, names)]
    return dump_all([d for d in documents if d is not None])
