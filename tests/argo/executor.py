"""A local Argo executor for tests: runs a WorkflowTemplate or Workflow the way the Argo
controller does (DAG and steps templates, loops, `when`, parameters, retries, deadlines),
each container or script template as local processes (see `argo.pods` for the pod model).

Unsupported Argo features raise UnsupportedFeature naming the feature; invalid documents
raise ValueError with Argo's wording. Nothing is silently ignored except the fields that only
place a pod in a cluster (listed in `argo.pods`).
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from argo.dag import DagRun
from argo.model import ERROR, NodeResult, NodeStore, Result, Submission
from argo.pods import IGNORED_TEMPLATE_FIELDS, RunContext, run_pod
from argo.steps import run_steps
from argo.variables import UnsupportedFeature, substitute, substitute_all

IGNORED_SPEC_FIELDS = {
    "serviceAccountName",
    "podGC",
    "ttlStrategy",
    "imagePullSecrets",
    "nodeSelector",
    "tolerations",
    "affinity",
    "podMetadata",
    "securityContext",
    "priorityClassName",
    "podPriorityClassName",
    "workflowMetadata",
    "archiveLogs",
    "automountServiceAccountToken",
    "metrics",
    "executor",
}
SPEC_FIELDS = {"entrypoint", "arguments", "templates", "parallelism", "workflowTemplateRef"}
NON_LEAF_FIELDS = {"inputs", "outputs", "dag", "steps", "parallelism"}


class _Run:
    """One workflow run: its templates, global variables and finished nodes."""

    def __init__(self, spec: dict[str, Any], ctx: RunContext, global_scope: dict[str, str]) -> None:
        self.templates = {t["name"]: t for t in spec.get("templates", [])}
        self.ctx, self.global_scope, self.store = ctx, global_scope, NodeStore()
        self.kept: dict[str, NodeResult] = {}  # `argo retry`: earlier nodes not run again

    def declared_outputs(self, template_name: str) -> dict[str, Any]:
        template = self.templates.get(template_name, {})
        params = template.get("outputs", {}).get("parameters", [])
        return {p["name"]: p.get("valueFrom", {}).get("default") for p in params}

    def _bind_inputs(
        self, template: dict[str, Any], arguments: list[dict[str, Any]]
    ) -> dict[str, str]:
        given = {a["name"]: a for a in arguments}
        scope: dict[str, str] = {}
        for param in template.get("inputs", {}).get("parameters", []):
            name = param["name"]
            if name in given and "value" in given[name]:
                value = given[name]["value"]
            elif "value" in param:
                value = param["value"]
            elif "default" in param:
                value = param["default"]
            else:
                raise ValueError(
                    f"templates.{template['name']}.inputs.parameters.{name} was not supplied"
                )
            value = substitute(
                str(value), self.global_scope, where=f" in inputs of {template['name']!r}"
            )
            if "enum" in param and value not in [str(v) for v in param["enum"]]:
                raise ValueError(f"inputs.parameters.{name} value {value!r} is not in its enum")
            scope[f"inputs.parameters.{name}"] = value
        listed = [{"name": k.split(".", 2)[2], "value": v} for k, v in scope.items()]
        scope["inputs.parameters"] = json.dumps(listed, separators=(",", ":"))
        return scope

    def execute(self, task: dict[str, Any], node_name: str) -> NodeResult:
        """Run the template a (resolved) task or step calls, as node `node_name`."""
        name = task["template"] if isinstance(task.get("template"), str) else None
        if name is None:
            raise UnsupportedFeature(
                f"node {node_name!r}: only `template:` references are supported"
            )
        return self.invoke(name, (task.get("arguments") or {}).get("parameters", []), node_name)

    def invoke(
        self, template_name: str, arguments: list[dict[str, Any]], node_name: str
    ) -> NodeResult:
        if node_name in self.kept:
            return self.kept[node_name]
        if template_name not in self.templates:
            raise ValueError(f"template name '{template_name}' undefined")
        template = self.templates[template_name]
        if "artifacts" in (template.get("inputs") or {}) or any(
            "valueFrom" in a for a in arguments
        ):
            raise UnsupportedFeature(f"template {template_name!r}: artifacts or argument valueFrom")
        try:
            inputs = self._bind_inputs(template, arguments)
        except ValueError as error:
            return self.store.add(
                NodeResult(
                    name=node_name,
                    template=template_name,
                    phase=ERROR,
                    kind="Pod",
                    message=str(error),
                )
            )
        scope = self.global_scope | inputs | {"node.name": node_name}
        if "container" in template or "script" in template:
            paths = {
                f"outputs.parameters.{p['name']}.path": p.get("valueFrom", {}).get("path", "")
                for p in template.get("outputs", {}).get("parameters", [])
            }
            return self.store.add(run_pod(self.ctx, template, node_name, scope | paths))
        kind = "dag" if "dag" in template else "steps" if "steps" in template else None
        for key in template:
            if key not in NON_LEAF_FIELDS | IGNORED_TEMPLATE_FIELDS:
                raise UnsupportedFeature(
                    f"template {template_name!r}: field {key!r}"
                    + ("" if kind else " (template type)")
                )
        if kind is None:
            raise ValueError(f"templates.{template_name} template type unspecified")
        body = substitute_all(
            template,
            scope,
            defer=("tasks", "steps", "item"),
            where=f" in template {template_name!r}",
        )
        if kind == "dag":
            dag = DagRun(body, node_name, self.execute, self.declared_outputs, self.store.add)
            final_scope = dag.run(scope)
            phase, message = dag.phase(), ""
        else:
            phase, message, final_scope = run_steps(
                body, node_name, scope, self.execute, self.declared_outputs, self.store.add
            )
        outputs: dict[str, str] = {}
        if phase == "Succeeded":
            for param in body.get("outputs", {}).get("parameters", []):
                source = param.get("valueFrom", {})
                if set(source) - {"parameter", "default"}:
                    raise UnsupportedFeature(
                        f"template {template_name!r}: output {param['name']!r} "
                        f"valueFrom {sorted(source)}"
                    )
                try:
                    outputs[param["name"]] = substitute(source.get("parameter", ""), final_scope)
                except ValueError:
                    if "default" not in source:
                        raise
                    outputs[param["name"]] = str(source["default"])
        node = NodeResult(
            name=node_name,
            template=template_name,
            phase=phase,
            kind=kind.upper() if kind == "dag" else "Steps",
            parameters=tuple(sorted(outputs.items())),
            message=message,
        )
        return self.store.add(node)


def _resolve_spec(document: dict[str, Any], given: Sequence[dict[str, Any]]) -> dict[str, Any]:
    kind = document.get("kind")
    if kind not in ("Workflow", "WorkflowTemplate"):
        raise ValueError(f"can only run a Workflow or WorkflowTemplate, not {kind!r}")
    spec = dict(document["spec"])
    reference = spec.get("workflowTemplateRef")
    if reference is None:
        return spec
    if reference.get("clusterScope"):
        raise UnsupportedFeature("workflowTemplateRef.clusterScope")
    found = [t for t in given if t.get("metadata", {}).get("name") == reference.get("name")]
    if not found:
        raise ValueError(
            f"workflowTemplateRef {reference.get('name')!r}: no such WorkflowTemplate was given"
        )
    if "templates" in spec:
        raise ValueError(
            "Templates is invalid field in spec if workflow referred WorkflowTemplate reference"
        )
    merged = dict(found[0]["spec"]) | {
        k: v for k, v in spec.items() if k not in ("workflowTemplateRef", "arguments")
    }
    own = {p["name"]: p for p in spec.get("arguments", {}).get("parameters", [])}
    base = found[0]["spec"].get("arguments", {}).get("parameters", [])
    merged["arguments"] = {"parameters": [own.pop(p["name"], p) for p in base] + list(own.values())}
    return merged


def _workflow_parameters(spec: dict[str, Any], arguments: dict[str, str]) -> dict[str, str]:
    declared = spec.get("arguments", {}).get("parameters", [])
    unknown = set(arguments) - {p["name"] for p in declared}
    if unknown:
        raise ValueError(f"arguments {sorted(unknown)} are not parameters of this workflow")
    values: dict[str, str] = {}
    for param in declared:
        if "valueFrom" in param:
            raise UnsupportedFeature(f"spec.arguments.parameters.{param['name']}.valueFrom")
        if param["name"] in arguments:
            values[param["name"]] = arguments[param["name"]]
        elif "value" in param:
            values[param["name"]] = str(param["value"])
        else:
            raise ValueError(f"spec.arguments.{param['name']}.value is required")
        if "enum" in param and values[param["name"]] not in [str(v) for v in param["enum"]]:
            raise ValueError(
                f"spec.arguments.{param['name']}.value should be present in its enum list"
            )
    return values


def run_workflow(
    template_doc: dict[str, Any],
    arguments: dict[str, str],
    *,
    workdir: Path,
    env: dict[str, str] | None = None,
    templates: Sequence[dict[str, Any]] = (),
    path_prefix: str = "/tmp",
    shared_paths: Sequence[Path] = (),
    time_scale: float = 1.0,
    max_pods: int = 8,
    retry_of: tuple[str, Mapping[str, NodeResult]] | None = None,
) -> Result:
    """Run `template_doc` with workflow `arguments`; `templates` are the WorkflowTemplates a
    Workflow's workflowTemplateRef may name. Paths under `path_prefix` become each pod's own
    directory, except `workdir` and `shared_paths` (e.g. a datastore root under /tmp);
    `time_scale` multiplies retry back-off waits; `max_pods` bounds concurrent processes.
    `retry_of` (workflow name, nodes kept) is how `argo.retry.retry_workflow` runs again."""
    spec = _resolve_spec(template_doc, templates)
    for key in spec:
        if key not in SPEC_FIELDS | IGNORED_SPEC_FIELDS:
            raise UnsupportedFeature(f"spec.{key}")
    metadata = template_doc.get("metadata", {})
    # generateName's suffix: random on Argo, here a digest of what was submitted (the resolved
    # template included), so two different submits never share a workflow name
    submitted = [template_doc, spec, sorted(arguments.items())]
    digest = hashlib.sha256(json.dumps(submitted, sort_keys=True).encode()).hexdigest()
    name = metadata.get("name") or metadata.get("generateName", "workflow-") + digest[:5]
    name, kept = retry_of or (name, {})
    parameters = _workflow_parameters(spec, arguments)
    scope = {
        "workflow.name": name,
        "workflow.namespace": metadata.get("namespace", "default"),
        "workflow.uid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"argo-local/{name}/{digest}")),
        "workflow.mainEntrypoint": spec["entrypoint"],
        "workflow.parameters": json.dumps(
            [{"name": k, "value": v} for k, v in parameters.items()], separators=(",", ":")
        ),
    }
    scope["workflow.parameters.json"] = scope["workflow.parameters"]
    scope |= {f"workflow.parameters.{k}": v for k, v in parameters.items()}
    scope |= {f"workflow.labels.{k}": str(v) for k, v in (metadata.get("labels") or {}).items()}
    scope |= {
        f"workflow.annotations.{k}": str(v) for k, v in (metadata.get("annotations") or {}).items()
    }
    if "serviceAccountName" in spec:
        scope["workflow.serviceAccountName"] = spec["serviceAccountName"]
    slots = min(max_pods, int(spec["parallelism"])) if spec.get("parallelism") else max_pods
    workdir.mkdir(parents=True, exist_ok=True)
    shared = tuple(str(p) for p in (workdir, *shared_paths))
    ctx = RunContext(
        workflow_name=name,
        workdir=workdir,
        env=dict(env or {}),
        path_prefix=path_prefix,
        shared_paths=shared,
        time_scale=time_scale,
        pod_slots=threading.BoundedSemaphore(slots),
    )
    run = _Run(spec, ctx, scope)
    run.kept = dict(kept)
    run.store.nodes.update(kept)
    root_arguments = [{"name": k, "value": v} for k, v in parameters.items()]
    root = run.invoke(spec["entrypoint"], root_arguments, name)
    return Result(
        workflow_name=name,
        phase=root.phase,
        message=root.message,
        nodes=dict(run.store.nodes),
        workdir=workdir,
        submission=Submission(
            document=template_doc,
            arguments=dict(arguments),
            templates=tuple(templates),
            env=dict(env or {}),
            path_prefix=path_prefix,
            shared_paths=tuple(shared_paths),
        ),
    )
