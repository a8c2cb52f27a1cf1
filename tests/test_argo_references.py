"""Argo's reference checks: every fixture is clean, and one broken document per rule
is reported with Argo's wording."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from argo.references import UNRESOLVED, check_references

EXAMPLES = Path(__file__).parent / "argo" / "examples"


def load(name: str) -> dict[str, Any]:
    path = EXAMPLES / "walkthrough" / name
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return document


def dag(
    *tasks: dict[str, Any], outputs: list[str] = (), arguments: list[str] = ()
) -> dict[str, Any]:  # type: ignore[assignment]
    """A WorkflowTemplate with one DAG `main` over a leaf template `echo`."""
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "WorkflowTemplate",
        "metadata": {"name": "refs"},
        "spec": {
            "entrypoint": "main",
            "arguments": {"parameters": [{"name": a, "value": "1"} for a in arguments]},
            "templates": [
                {"name": "main", "dag": {"tasks": list(tasks)}},
                {
                    "name": "echo",
                    "inputs": {"parameters": [{"name": "message", "default": ""}]},
                    "container": {
                        "image": "busybox",
                        "command": ["echo", "{{inputs.parameters.message}}"],
                    },
                    "outputs": {
                        "parameters": [
                            {"name": p, "valueFrom": {"path": f"/tmp/{p}"}} for p in outputs
                        ]
                    },
                },
            ],
        },
    }


def message(value: str) -> dict[str, Any]:
    return {"parameters": [{"name": "message", "value": value}]}


FIXTURES = sorted(str(p.relative_to(EXAMPLES)) for p in EXAMPLES.glob("*/*.yaml"))


@pytest.mark.parametrize("path", FIXTURES)
def test_fixtures_have_no_reference_problems(path: str) -> None:
    for document in yaml.safe_load_all((EXAMPLES / path).read_text(encoding="utf-8")):
        assert check_references(document) == []


def test_clean_dag_with_outputs_passes() -> None:
    document = dag(
        {"name": "a", "template": "echo"},
        {
            "name": "b",
            "template": "echo",
            "depends": "a",
            "arguments": message("{{tasks.a.outputs.parameters.out}}"),
        },
        {
            "name": "c",
            "template": "echo",
            "depends": "b.Succeeded || b.Failed",
            "arguments": message("{{workflow.parameters.alpha}} {{tasks.a.outputs.result}}"),
        },
        outputs=["out"],
        arguments=["alpha"],
    )
    assert check_references(document) == []


def test_undefined_template() -> None:
    problems = check_references(dag({"name": "a", "template": "ecko"}))
    assert problems == ["templates.main.tasks.a: template name 'ecko' undefined"]


def test_task_names_unique_and_valid() -> None:
    problems = check_references(
        dag(
            {"name": "a", "template": "echo"},
            {"name": "a", "template": "echo"},
            {"name": "b_c", "template": "echo"},
        )
    )
    assert "templates.main.tasks name 'a' is not unique" in problems
    assert any("'b_c' must consist of alpha-numeric characters or '-'" in p for p in problems)


def test_depends_names_a_task_of_the_same_dag() -> None:
    problems = check_references(
        dag(
            {"name": "a", "template": "echo", "depends": "b && c.Failed"},
            {"name": "b", "template": "echo"},
        )
    )
    assert problems == ["templates.main.tasks.a dependency 'c' not defined"]


def test_depends_result_must_be_known() -> None:
    problems = check_references(
        dag(
            {"name": "a", "template": "echo"},
            {"name": "b", "template": "echo", "depends": "a.Finished"},
        )
    )
    assert problems == [
        "templates.main.tasks.b depends: task result 'Finished' for task 'a' is invalid"
    ]


def test_dependency_cycle() -> None:
    problems = check_references(
        dag(
            {"name": "a", "template": "echo", "dependencies": ["b"]},
            {"name": "b", "template": "echo", "dependencies": ["a"]},
        )
    )
    assert problems == ["templates.main: dependency cycle among ['a', 'b']"]


def test_depends_and_dependencies_are_not_mixed() -> None:
    problems = check_references(
        dag(
            {"name": "a", "template": "echo"},
            {"name": "b", "template": "echo", "depends": "a"},
            {"name": "c", "template": "echo", "dependencies": ["a"]},
        )
    )
    assert problems == [
        "templates.main cannot use both 'depends' and 'dependencies' in the same DAG template"
    ]


def test_undeclared_input_parameter() -> None:
    document = dag({"name": "a", "template": "echo"})
    document["spec"]["templates"][1]["container"]["args"] = ["{{inputs.parameters.mesage}}"]
    assert check_references(document) == [
        "templates.echo: {{inputs.parameters.mesage}} names no declared input parameter"
    ]


def test_task_output_reference_needs_a_dependency() -> None:
    problems = check_references(
        dag(
            {"name": "a", "template": "echo"},
            {
                "name": "b",
                "template": "echo",
                "arguments": message("{{tasks.a.outputs.parameters.out}}"),
            },
            outputs=["out"],
        )
    )
    assert problems == [
        f"templates.main.tasks.b: {{{{tasks.a.outputs.parameters.out}}}} {UNRESOLVED}"
    ]


def test_transitive_dependency_is_enough_but_the_output_must_be_declared() -> None:
    problems = check_references(
        dag(
            {"name": "a", "template": "echo"},
            {"name": "b", "template": "echo", "depends": "a"},
            {
                "name": "c",
                "template": "echo",
                "depends": "b",
                "arguments": message(
                    "{{tasks.a.outputs.parameters.out}} {{tasks.a.outputs.parameters.other}}"
                ),
            },
            outputs=["out"],
        )
    )
    assert problems == [
        f"templates.main.tasks.c: {{{{tasks.a.outputs.parameters.other}}}} {UNRESOLVED}"
    ]


def test_workflow_parameter_must_be_declared() -> None:
    problems = check_references(
        dag(
            {"name": "a", "template": "echo", "arguments": message("{{workflow.parameters.beta}}")},
            arguments=["alpha"],
        )
    )
    assert problems == [
        "templates.main.tasks.a: {{workflow.parameters.beta}} is not declared in spec.arguments"
    ]


def test_item_needs_a_loop_and_unknown_variables_are_reported() -> None:
    problems = check_references(
        dag({"name": "a", "template": "echo", "arguments": message("{{item}} {{workflow.nme}}")})
    )
    assert problems == [
        "templates.main.tasks.a: {{item}} used without withItems/withParam/withSequence",
        "templates.main.tasks.a: {{workflow.nme}} is not a known variable",
    ]


def test_object_name_limits() -> None:
    template = dag({"name": "a", "template": "echo"})
    template["metadata"]["name"] = "x" * 64
    assert check_references(template) == [
        f"metadata.name {'x' * 64!r} must not be more than 63 characters long (currently 64)"
    ]
    cron = load("cron.yaml")
    cron["metadata"]["name"] = "c" * 53
    assert check_references(cron) == [
        f"metadata.name {'c' * 53!r} must not be more than 52 characters long (currently 53)"
    ]
    template["metadata"]["name"] = "Train_Flow"
    assert check_references(template) == [
        "metadata.name 'Train_Flow' must be a lowercase RFC 1123 subdomain"
    ]


def test_template_name_limit_is_128() -> None:
    document = dag({"name": "a", "template": "echo"})
    long_name = "e" * 129
    document["spec"]["templates"][1]["name"] = long_name
    document["spec"]["templates"][0]["dag"]["tasks"][0]["template"] = long_name
    assert check_references(document) == [
        f"spec.templates name {long_name!r} must be no more than 128 characters"
    ]


def test_steps_see_only_earlier_groups() -> None:
    document = load("output-parameter.yaml")
    groups = document["spec"]["templates"][0]["steps"]
    groups[0].append(
        {
            "name": "early",
            "template": "say",
            "arguments": {
                "parameters": [
                    {"name": "text", "value": "{{steps.produce.outputs.parameters.greeting}}"}
                ]
            },
        }
    )
    assert check_references(document) == [
        "templates.main.steps[0].early: "
        f"{{{{steps.produce.outputs.parameters.greeting}}}} {UNRESOLVED}"
    ]
