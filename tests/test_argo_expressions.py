"""Argo's expr-lang subset: `{{=...}}` tags and `retryStrategy.expression` (docs/variables.md
"Expression", docs/retries.md) evaluate as expr does, and what the subset lacks is named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from argo.executor import run_workflow
from argo.expressions import ExpressionError, evaluate_when
from argo.exprlang import UnsupportedExpression, evaluate_expr
from argo.references import check_references
from argo.variables import UnresolvedVariable, substitute

EXAMPLES = Path(__file__).parent / "argo" / "examples"
SCOPE = {
    "inputs.parameters.iteration": "3",
    "inputs.parameters.a-b": "x",
    "workflow.name": "wf",
    "tasks.train.outputs.parameters.score": "0.5",
}


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("asInt(inputs.parameters.iteration) + 1", 4),
        ("inputs.parameters['a-b'] + \"y\"", "xy"),
        ("workflow.name == 'wf' && !(1 > 2)", True),
        ("asFloat(tasks.train.outputs.parameters.score) * 4", 2.0),
        ("(1 + 2) * 3 - -1", 10),
        ("7 / 2", 3.5),  # expr's `/` is a float division
        ("1 == 1.0 || false", True),
        ("'1' == 1", False),  # no string-number coercion in expr
        ("string(asInt('7')) + toJson('q')", '7"q"'),
    ],
)
def test_expr_subset(expression: str, value: Any) -> None:
    assert evaluate_expr(expression, SCOPE.__getitem__) == value


@pytest.mark.parametrize(
    ("expression", "named"),
    [
        ("sprig.trim(workflow.name)", "function 'sprig.trim'"),
        ("workflow.name matches 'w'", "'matches'"),
        ("asInt(inputs.parameters.iteration) % 2", "'% 2'"),
        ("inputs.parameters.iteration ?? 1", "'?? 1'"),
    ],
)
def test_outside_the_subset_is_named(expression: str, named: str) -> None:
    with pytest.raises(UnsupportedExpression, match=named):
        evaluate_expr(expression, SCOPE.__getitem__)


def test_expr_is_typed_where_when_is_not() -> None:
    with pytest.raises(ExpressionError, match="invalid operation"):
        evaluate_expr("inputs.parameters.iteration + 1", SCOPE.__getitem__)  # a string + 1
    assert evaluate_when("heads == heads")  # govaluate: bare words are strings


def test_expression_tags_substitute_and_defer() -> None:
    text = "n={{=asInt(inputs.parameters.iteration) + 1}} {{=tasks.a.outputs.result}}"
    assert substitute(text, SCOPE, defer=("tasks",)) == "n=4 {{=tasks.a.outputs.result}}"
    with pytest.raises(UnresolvedVariable, match="'inputs.parameters.nope'"):
        substitute("{{=asInt(inputs.parameters.nope)}}", SCOPE)


def test_recursion_counts_iterations_with_an_expression(tmp_path: Path) -> None:
    path = EXAMPLES / "walkthrough" / "expression-recursion.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert check_references(document) == []
    result = run_workflow(document, {"until": "3"}, workdir=tmp_path / "run")
    assert result.phase == "Succeeded"
    steps = sorted((n for n in result.phases() if n.endswith("step")), key=len)
    assert [(result.node(n).outputs["label"], result.node(n).result) for n in steps] == [
        (f"{i} of 3", "continue" if i < 3 else "stop") for i in range(4)
    ]
    assert result.phases()["again.again.again.again"] == "Skipped"


def _retrying(script: str, expression: str, limit: int = 3) -> dict[str, Any]:
    strategy = {"limit": limit, "expression": expression}
    leaf = {
        "name": "work",
        "retryStrategy": strategy,
        "container": {"image": "busybox", "command": ["sh", "-c", script]},
    }
    spec = {"entrypoint": "work", "templates": [leaf]}
    kind = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow"}
    return {**kind, "metadata": {"name": "r"}, "spec": spec}


EMITTED = "asInt(lastRetry.exitCode) != 2 && asInt(lastRetry.exitCode) != 130"


@pytest.mark.parametrize(
    ("script", "codes"),
    [
        ("exit $(( {{retries}} + 1 ))", [1, 2]),  # exit 1 retried, exit 2 stops it
        ("exit 1", [1, 1, 1, 1]),  # retried until the limit
        ("exit 130", [130]),
        ("[ {{retries}} -ge 1 ] || exit 1", [1, 0]),
    ],
)
def test_retry_expression_decides_after_each_failure(
    tmp_path: Path, script: str, codes: list[int]
) -> None:
    result = run_workflow(_retrying(script, EMITTED), {}, workdir=tmp_path / "run")
    assert [a.exit_code for a in result.node("").attempts] == codes
    assert result.phase == ("Succeeded" if codes[-1] == 0 else "Failed")


def test_retry_expression_sees_status_duration_and_message(tmp_path: Path) -> None:
    expression = (
        "lastRetry.status == 'Failed' && asInt(lastRetry.duration) < 60"
        " && lastRetry.message == 'Error (exit code 3)'"
    )
    result = run_workflow(_retrying("exit 3", expression, 1), {}, workdir=tmp_path / "run")
    assert len(result.node("").attempts) == 2
    bad = _retrying("exit 3", "lastRetry.nope == 1")
    with pytest.raises(ValueError, match="unknown variable 'lastRetry.nope'"):
        run_workflow(bad, {}, workdir=tmp_path / "bad")
