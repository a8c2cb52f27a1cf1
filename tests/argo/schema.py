"""Strict validation of Argo documents against the official Argo Workflows JSON schema, with
unknown fields rejected everywhere (the official file mostly allows them).

The schema file is not in this repository: it is read from the steering repository's shared
folder beside the clone (`<repo>/../shared/schemas/argo-workflows.schema.json`), or from the file
named by `FLOWC_ARGO_SCHEMA`. Without either, every validation skips the calling test with one
reason naming both places (a fresh clone has no shared folder; that is not a failure).

The strict variant is derived once, at load time: every object schema with `properties` and no
`additionalProperties` gets `additionalProperties: false`.
A few definitions describe the protobuf form of a type rather than the YAML form Argo's API
accepts; they are corrected below, each with the Go type that justifies it.
"""

from __future__ import annotations

import copy
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

SCHEMA_ENV = "FLOWC_ARGO_SCHEMA"
REPO = Path(__file__).resolve().parents[2]
SHARED_SCHEMA = REPO.parent / "shared" / "schemas" / "argo-workflows.schema.json"
WORKFLOW = "io.argoproj.workflow.v1alpha1."
EVENTS = "github.com.argoproj.argo_events.pkg.apis.events.v1alpha1."

KIND_DEFINITIONS = {
    "Workflow": WORKFLOW + "Workflow",
    "WorkflowTemplate": WORKFLOW + "WorkflowTemplate",
    "ClusterWorkflowTemplate": WORKFLOW + "ClusterWorkflowTemplate",
    "CronWorkflow": WORKFLOW + "CronWorkflow",
    "Sensor": EVENTS + "Sensor",
}

_ANY_STRING = {"type": ["string", "number", "boolean"]}
# Go types whose JSON form is wider than the schema says (see the module docstring):
_TYPE_CORRECTIONS: dict[str, dict[str, Any]] = {
    # k8s.io/apimachinery intstr.IntOrString unmarshals a JSON number or a string.
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"type": ["integer", "string"]},
    # resource.Quantity unmarshals a JSON number (`cpu: 2`) as well as a string.
    "io.k8s.apimachinery.pkg.api.resource.Quantity": {"type": ["string", "number"]},
    # argo-events common.Int64OrString and Amount are a number or string in YAML (bytes in proto).
    EVENTS + "Int64OrString": {"type": ["integer", "string"]},
    EVENTS + "Amount": {"type": ["number", "string"]},
    # argo-events K8SResource is an arbitrary embedded object (validated by kind separately).
    EVENTS + "K8SResource": {"type": "object"},
}
# Argo's AnyString fields (pkg/apis/workflow/v1alpha1/anystring.go) accept string, number, bool.
_ANY_STRING_FIELDS = {
    WORKFLOW + "Parameter": ("default", "value", "description"),
    WORKFLOW + "ValueFrom": ("default",),
}


class ArgoSchemaError(ValueError):
    """A document violates the strict schema; the message lists every violation with its path."""

    def __init__(self, kind: str, violations: list[str]) -> None:
        self.violations = violations
        lines = "\n".join(f"  {v}" for v in violations)
        super().__init__(f"{kind}: {len(violations)} schema violation(s):\n{lines}")


def _forbid_unknown_fields(node: Any) -> None:
    """Close every object schema below `node` that lists its properties and says nothing else."""
    if isinstance(node, list):
        for item in node:
            _forbid_unknown_fields(item)
        return
    if not isinstance(node, dict):
        return
    if "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            for field_schema in value.values():
                _forbid_unknown_fields(field_schema)
        elif key in ("items", "additionalProperties", "allOf", "anyOf", "oneOf", "not"):
            _forbid_unknown_fields(value)


def _correct_yaml_forms(definitions: dict[str, Any]) -> None:
    for name, replacement in _TYPE_CORRECTIONS.items():
        description = definitions[name].get("description")
        definitions[name] = dict(replacement)
        if description:
            definitions[name]["description"] = description
    for name, fields in _ANY_STRING_FIELDS.items():
        for field in fields:
            definitions[name]["properties"][field].update(_ANY_STRING)
        if name == WORKFLOW + "Parameter":
            definitions[name]["properties"]["enum"]["items"] = dict(_ANY_STRING)
    # The Sensor definition comes from the API server's protobuf and omits the type fields.
    sensor = definitions[EVENTS + "Sensor"]
    sensor["properties"]["apiVersion"] = {"const": "argoproj.io/v1alpha1", "type": "string"}
    sensor["properties"]["kind"] = {"const": "Sensor", "type": "string"}
    sensor["required"] = ["metadata", "spec"]


def schema_path() -> Path:
    """The schema file: `$FLOWC_ARGO_SCHEMA` if that file exists, else the shared folder's copy;
    when neither exists, skip the calling test saying where the file was looked for."""
    override = os.environ.get(SCHEMA_ENV)
    for candidate in (Path(override) if override else None, SHARED_SCHEMA):
        if candidate is not None and candidate.is_file():
            return candidate
    pytest.skip(
        f"Argo schema not found: set {SCHEMA_ENV} to the file"
        + (f" (it names {override}, which does not exist)" if override else "")
        + f" or provide {SHARED_SCHEMA} (the steering repository's shared folder)"
    )


def strict_definitions() -> dict[str, Any]:
    """The schema's definitions, corrected and closed to unknown fields (computed once a file)."""
    return _strict_definitions(schema_path())


@cache
def _strict_definitions(path: Path) -> dict[str, Any]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    definitions = copy.deepcopy(raw["definitions"])
    _correct_yaml_forms(definitions)
    _forbid_unknown_fields(list(definitions.values()))
    return definitions


def _validator(definition: str) -> jsonschema.protocols.Validator:
    return _compiled(schema_path(), definition)


@cache
def _compiled(path: Path, definition: str) -> jsonschema.protocols.Validator:
    root = {"$ref": f"#/definitions/{definition}", "definitions": _strict_definitions(path)}
    return jsonschema.Draft202012Validator(root)


def _path(error: jsonschema.ValidationError) -> str:
    path = "$"
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def schema_violations(document: dict[str, Any]) -> list[str]:
    """Every strict-schema violation of `document` as `$.json.path: message`, sorted."""
    kind = document.get("kind") if isinstance(document, dict) else None
    if kind not in KIND_DEFINITIONS:
        return [f"$.kind: {kind!r} is not one of {sorted(KIND_DEFINITIONS)}"]
    errors = _validator(KIND_DEFINITIONS[kind]).iter_errors(document)
    violations = sorted(f"{_path(e)}: {e.message}" for e in errors)
    if kind == "Sensor":
        violations += _embedded_workflow_violations(document)
    return violations


def _embedded_workflow_violations(sensor: dict[str, Any]) -> list[str]:
    """A Sensor's argoWorkflow triggers embed a Workflow: validate it as one."""
    found: list[str] = []
    for index, trigger in enumerate(sensor.get("spec", {}).get("triggers", []) or []):
        template = trigger.get("template", {}) if isinstance(trigger, dict) else {}
        resource = (template.get("argoWorkflow") or {}).get("source", {}).get("resource")
        if isinstance(resource, dict):
            prefix = f"$.spec.triggers[{index}].template.argoWorkflow.source.resource"
            found += [prefix + v[1:] for v in schema_violations(resource)]
    return found


def validate_argo(document: dict[str, Any]) -> None:
    """Raise ArgoSchemaError listing every violation if `document` fails the strict schema."""
    violations = schema_violations(document)
    if violations:
        kind = document.get("kind", "document") if isinstance(document, dict) else "document"
        raise ArgoSchemaError(str(kind), violations)
