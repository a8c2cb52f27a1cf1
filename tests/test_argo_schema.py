"""The strict Argo schema check: the schema is found in the shared folder or through
FLOWC_ARGO_SCHEMA (else the tests skip, naming both), unknown fields, wrong types and missing
required fields are rejected with their JSON path, and every fixture (all kinds) passes."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import argo.schema
import pytest
import yaml
from argo.schema import ArgoSchemaError, schema_path, schema_violations, validate_argo

EXAMPLES = Path(__file__).parent / "argo" / "examples"


def fixture_documents() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(EXAMPLES.glob("*/*.yaml")):
        for index, document in enumerate(yaml.safe_load_all(path.read_text(encoding="utf-8"))):
            found.append((f"{path.parent.name}/{path.name}#{index}", document))
    return found


def diamond() -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES / "walkthrough/diamond.yaml").read_text(encoding="utf-8"))


SENSOR = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "Sensor",
    "metadata": {"name": "train-flow"},
    "spec": {
        "template": {"serviceAccountName": "operate-workflow-sa"},
        "dependencies": [{"name": "data-ready", "eventSourceName": "webhook", "eventName": "data"}],
        "triggers": [
            {
                "template": {
                    "name": "submit",
                    "argoWorkflow": {
                        "operation": "submit",
                        "source": {
                            "resource": {
                                "apiVersion": "argoproj.io/v1alpha1",
                                "kind": "Workflow",
                                "metadata": {"generateName": "train-flow-"},
                                "spec": {"workflowTemplateRef": {"name": "train-flow"}},
                            }
                        },
                        "parameters": [
                            {
                                "src": {"dependencyName": "data-ready", "dataKey": "body.alpha"},
                                "dest": "spec.arguments.parameters.0.value",
                            }
                        ],
                    },
                },
                "retryStrategy": {"steps": 3, "duration": "10s", "factor": 2},
            }
        ],
    },
}


def test_schema_override_and_skip_reason(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """FLOWC_ARGO_SCHEMA wins when it names a file; with neither file the test skips, naming
    both places (checked here without the schema, so this test never skips itself)."""
    override = tmp_path / "schema.json"
    override.write_text("{}")
    monkeypatch.setenv("FLOWC_ARGO_SCHEMA", str(override))
    assert schema_path() == override
    monkeypatch.setattr(argo.schema, "SHARED_SCHEMA", tmp_path / "shared" / "none.json")
    monkeypatch.setenv("FLOWC_ARGO_SCHEMA", str(tmp_path / "missing.json"))
    with pytest.raises(pytest.skip.Exception) as skipped:
        validate_argo(diamond())
    assert "FLOWC_ARGO_SCHEMA" in str(skipped.value) and "none.json" in str(skipped.value)
    assert "missing.json" in str(skipped.value)


@pytest.mark.parametrize(
    ("name", "document"), fixture_documents(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_fixtures_pass_the_strict_schema(name: str, document: dict[str, Any]) -> None:
    validate_argo(document)


def test_unknown_field_is_rejected_with_its_path() -> None:
    document = diamond()
    document["spec"]["templates"][0]["dag"]["tasks"][1]["dependson"] = ["A"]
    with pytest.raises(ArgoSchemaError) as raised:
        validate_argo(document)
    assert raised.value.violations == [
        "$.spec.templates[0].dag.tasks[1]: "
        "Additional properties are not allowed ('dependson' was unexpected)"
    ]


def test_wrong_type_is_rejected() -> None:
    document = diamond()
    document["spec"]["templates"][1]["container"]["command"] = "echo"
    assert schema_violations(document) == [
        "$.spec.templates[1].container.command: 'echo' is not of type 'array'"
    ]


def test_missing_required_field_is_rejected() -> None:
    document = diamond()
    del document["spec"]["templates"][0]["dag"]["tasks"][0]["name"]
    assert schema_violations(document) == [
        "$.spec.templates[0].dag.tasks[0]: 'name' is a required property"
    ]


def test_every_violation_is_listed_at_once() -> None:
    document = diamond()
    del document["metadata"]
    document["spec"]["entrypoint"] = 3
    document["spec"]["colour"] = "blue"
    violations = schema_violations(document)
    assert len(violations) == 3 and all(v.startswith("$") for v in violations)
    assert "3 schema violation(s)" in str(ArgoSchemaError("Workflow", violations))


def test_yaml_forms_argo_accepts_are_accepted() -> None:
    """IntOrString, Quantity and AnyString fields take numbers in YAML (their Go types say so)."""
    document = diamond()
    template = document["spec"]["templates"][1]
    template["retryStrategy"] = {"limit": 3, "backoff": {"duration": "1", "factor": 2}}
    template["container"]["resources"] = {"requests": {"cpu": 2, "memory": "4096Mi"}}
    template["inputs"]["parameters"][0]["default"] = 0.1
    validate_argo(document)


def test_sensor_is_strict_and_its_workflow_is_validated() -> None:
    validate_argo(SENSOR)
    broken = copy.deepcopy(SENSOR)
    broken["spec"]["dependencies"][0]["eventSource"] = "webhook"
    resource = broken["spec"]["triggers"][0]["template"]["argoWorkflow"]["source"]["resource"]
    resource["spec"]["entryPoint"] = "x"
    assert schema_violations(broken) == [
        "$.spec.dependencies[0]: "
        "Additional properties are not allowed ('eventSource' was unexpected)",
        "$.spec.triggers[0].template.argoWorkflow.source.resource.spec: "
        "Additional properties are not allowed ('entryPoint' was unexpected)",
    ]


def test_unknown_kind_is_one_clear_violation() -> None:
    assert schema_violations({"kind": "Deployment"}) == [
        "$.kind: 'Deployment' is not one of ['ClusterWorkflowTemplate', 'CronWorkflow', "
        "'Sensor', 'Workflow', 'WorkflowTemplate']"
    ]
