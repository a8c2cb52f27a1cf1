"""The local Argo executor reaches the results Argo's documentation states, on fixtures
written from the docs and on small documents for each semantic (depends, loops, when,
recursion, output parameters, retries, deadlines, parallelism), and refuses what it does not
implement."""

from __future__ import annotations

import copy
import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from argo.executor import run_workflow
from argo.exprlang import UnsupportedExpression
from argo.model import Result
from argo.variables import UnresolvedVariable, UnsupportedFeature

EXAMPLES = Path(__file__).parent / "argo" / "examples"


def load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    for template in document["spec"].get("templates", []):
        body = template.get("script") or template.get("container") or {}
        if body.get("command") == ["python"]:  # the image's python is this interpreter here
            body["command"] = [sys.executable]
    return document


def run(
    document: dict[str, Any],
    tmp_path: Path,
    arguments: dict[str, str] | None = None,
    **options: Any,
) -> Result:
    return run_workflow(document, arguments or {}, workdir=tmp_path / "run", **options)


def leaf(name: str, script: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "container": {"image": "busybox", "command": ["sh", "-c", script]},
        **extra,
    }


def workflow(*templates: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"name": "wf"},
        "spec": {"entrypoint": templates[0]["name"], "templates": list(templates), **spec},
    }


def test_dag_diamond(tmp_path: Path) -> None:
    result = run(load("walkthrough/diamond.yaml"), tmp_path)
    assert result.phase == "Succeeded"
    assert {n: result.node(n).logs for n in "ABCD"} == {n: f"{n}\n" for n in "ABCD"}
    assert result.workflow_name.startswith("diamond-")


def test_enhanced_depends(tmp_path: Path) -> None:
    result = run(load("walkthrough/depends-results.yaml"), tmp_path)
    assert result.phase == "Succeeded"  # bad failed, but only tasks that accept it depend on it
    assert result.phases() == {
        "root": "Succeeded",
        "other-root": "Succeeded",
        "good": "Succeeded",
        "bad": "Failed",
        "either-result": "Succeeded",
        "any-parent": "Succeeded",
        "all-parents": "Omitted",
        "after-either": "Succeeded",
    }


def test_failure_fails_the_dag_through_omitted_leaves(tmp_path: Path) -> None:
    result = run(load("walkthrough/failed-branch.yaml"), tmp_path)
    assert result.phase == "Failed"
    assert result.phases()["recover"] == "Succeeded" and result.phases()["blocked"] == "Omitted"


def test_parameter_aggregation_with_when_per_item(tmp_path: Path) -> None:
    result = run(load("walkthrough/aggregation.yaml"), tmp_path)
    assert result.phase == "Succeeded"
    assert result.node("numbers").logs == '["1","2","3","4"]\n'
    assert result.node("parities").logs == '["odd","even","odd","even"]\n'
    assert result.phases()["halve(0:n:1,parity:odd)"] == "Skipped"
    assert result.phases()["halve(1:n:2,parity:even)"] == "Succeeded"
    assert [result.node(f"each-half({i}:{n})").logs for i, n in enumerate((1, 2))] == [
        "1\n",
        "2\n",
    ]


def test_loops_and_nested_dags(tmp_path: Path) -> None:
    loops = run(load("walkthrough/loops.yaml"), tmp_path / "loops")
    assert loops.phase == "Succeeded"
    logs = {name: loops.node(name).logs for name in loops.phases() if "(" in name}
    assert logs["[0].objects(1:count:3,fruit:fig)"] == "3 fig\n"
    assert logs["[0].from-argument(1:count:5,fruit:pear)"] == "5 pear\n"
    assert logs["[1].from-result(2:7)"] == "7\n"

    def items(step: str) -> list[str]:
        return [v.strip() for k, v in sorted(logs.items()) if k.startswith(f"[0].{step}(")]

    assert items("counted") == ["0", "1", "2"] and items("ranged") == ["10", "11", "12"]
    assert items("descending") == ["2", "1", "0"] and items("from-parameter") == ["7", "8"]
    assert items("formatted") == ["id-09", "id-0A"]
    nested = run(load("walkthrough/nested.yaml"), tmp_path / "nested")
    assert (
        nested.phase == "Succeeded" and nested.node("D.D").logs == "DD\n"
    )  # the nested diamond appends its own letter
    assert nested.node("B.C").logs == "BC\n"


def test_output_parameter_from_a_file(tmp_path: Path) -> None:
    result = run(load("walkthrough/output-parameter.yaml"), tmp_path)
    assert result.node("[1].consume").logs == "good morning\n"
    assert result.node("[0].produce").outputs == {"greeting": "good morning"}


def test_recursive_coinflip_with_steps(tmp_path: Path) -> None:
    result = run(load("walkthrough/coinflip-steps.yaml"), tmp_path, {"heads-at": "3"})
    assert result.phase == "Succeeded"
    flips = sorted((n for n in result.phases() if n.endswith("flip-coin")), key=len)
    assert [result.node(flip).result for flip in flips] == ["tails", "tails", "heads"]
    assert result.node("[1].tails[1].tails[1].heads").logs == "it was heads\n"


def test_recursion_with_a_numeric_when(tmp_path: Path) -> None:
    result = run(load("walkthrough/counter-loop.yaml"), tmp_path)
    assert result.phase == "Succeeded"
    counts = sorted((n for n in result.phases() if n.endswith("count")), key=len)
    assert [result.node(n).result for n in counts] == ["1", "2", "3", "4"]
    assert result.phases()["[1].again[1].again[1].again[1].again"] == "Skipped"


def test_recursive_dag_deterministic(tmp_path: Path) -> None:
    result = run(load("local/coinflip-dag-recursive.yaml"), tmp_path, {"heads-at": "3"})
    phases = result.phases()
    assert result.phase == "Succeeded"
    assert phases["tails.tails.heads"] == "Succeeded" and phases["tails.tails.tails"] == "Skipped"
    assert phases["heads"] == "Skipped" and phases["tails.heads"] == "Skipped"
    assert result.node("tails.tails.flip-coin").result == "heads"


def test_fan_out_fan_in_aggregates_in_item_order(tmp_path: Path) -> None:
    result = run(load("local/fan-out-fan-in.yaml"), tmp_path, {"scale": "100"})
    assert result.phase == "Succeeded"
    assert result.node("join").outputs == {
        "all": '["300","100","200"]'
    }  # item order, not finish order
    assert result.node("train(1:1)").outputs == {"score": "100"}


def test_retry_succeeds_on_the_second_attempt(tmp_path: Path) -> None:
    flaky = leaf(
        "flaky",
        "echo attempt {{retries}}; [ {{retries}} -ge 1 ]",
        retryStrategy={
            "limit": "3",
            "retryPolicy": "OnFailure",
            "backoff": {"duration": "2", "factor": 2},
        },
    )
    started = time.monotonic()
    result = run(workflow(flaky), tmp_path, time_scale=0.05)
    assert result.phase == "Succeeded"
    assert [(a.retry, a.phase, a.logs) for a in result.node("").attempts] == [
        (0, "Failed", "attempt 0\n"),
        (1, "Succeeded", "attempt 1\n"),
    ]
    assert 0.09 < time.monotonic() - started < 2  # one scaled 2 s back-off


def test_retry_limit_and_policy(tmp_path: Path) -> None:
    always_fails = leaf("fails", "exit 3", retryStrategy={"limit": 2})
    result = run(workflow(always_fails), tmp_path / "limit")
    assert result.phase == "Failed" and len(result.node("").attempts) == 3
    assert result.node("").exit_code == 3
    on_error = leaf("fails", "exit 3", retryStrategy={"limit": 2, "retryPolicy": "OnError"})
    assert len(run(workflow(on_error), tmp_path / "policy").node("").attempts) == 1


def test_retry_backoff_doubles_the_wait(tmp_path: Path) -> None:
    started = time.monotonic()
    result = run(load("walkthrough/retry-backoff.yaml"), tmp_path, time_scale=0.1)
    assert result.phase == "Succeeded"
    assert [a.phase for a in result.node("").attempts] == ["Failed", "Failed", "Succeeded"]
    assert 0.29 < time.monotonic() - started < 3  # waits of 1 s then 2 s, scaled by 0.1


def test_timeout_fixture_fails_at_its_deadline(tmp_path: Path) -> None:
    result = run(load("walkthrough/timeout.yaml"), tmp_path)
    assert result.phase == "Failed" and result.node("").logs == "started\n"


def test_active_deadline_kills_the_process_group(tmp_path: Path) -> None:
    marker = tmp_path / "shared" / "survived"
    marker.parent.mkdir()
    slow = leaf("slow", f"(sleep 1.5; touch {marker}) & sleep 30", activeDeadlineSeconds=1)
    started = time.monotonic()
    result = run(workflow(slow), tmp_path, shared_paths=[marker.parent])
    assert result.phase == "Failed" and "deadline" in result.node("").message
    assert time.monotonic() - started < 5
    time.sleep(1)
    assert not marker.exists()


def test_parallelism_limits_concurrent_children(tmp_path: Path) -> None:
    log = tmp_path / "shared" / "log"  # under /tmp, so shared explicitly
    log.parent.mkdir()
    task = {"name": "t", "template": "work", "withSequence": {"count": "4"}}
    work = leaf("work", f"echo start >> {log}; sleep 0.2; echo end >> {log}")
    main = {"name": "main", "parallelism": 1, "dag": {"tasks": [task]}}
    result = run(workflow(main, work), tmp_path, shared_paths=[log.parent])
    assert result.phase == "Succeeded"
    assert log.read_text().split() == ["start", "end"] * 4


def test_pods_have_private_tmp(tmp_path: Path) -> None:
    writer = leaf(
        "write",
        "echo -n {{inputs.parameters.v}} > /tmp/out",
        inputs={"parameters": [{"name": "v"}]},
        outputs={"parameters": [{"name": "out", "valueFrom": {"path": "/tmp/out"}}]},
    )
    main = {
        "name": "main",
        "dag": {
            "tasks": [
                {
                    "name": "a",
                    "template": "write",
                    "arguments": {"parameters": [{"name": "v", "value": "a"}]},
                },
                {
                    "name": "b",
                    "template": "write",
                    "arguments": {"parameters": [{"name": "v", "value": "b"}]},
                },
            ]
        },
    }
    result = run(workflow(main, writer), tmp_path)
    assert (result.node("a").outputs, result.node("b").outputs) == ({"out": "a"}, {"out": "b"})


def test_workflow_template_ref_and_arguments(tmp_path: Path) -> None:
    given = list(yaml.safe_load_all((EXAMPLES / "walkthrough/templates.yaml").read_text()))
    submitted = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"generateName": "ref-"},
        "spec": {
            "workflowTemplateRef": {"name": "shout"},
            "arguments": {"parameters": [{"name": "words", "value": "from ref"}]},
        },
    }
    result = run(submitted, tmp_path, templates=given)
    assert result.phase == "Succeeded" and result.node("").logs == "from ref\n"
    with pytest.raises(ValueError, match="no such WorkflowTemplate"):
        run(submitted, tmp_path)


def test_workflow_variables(tmp_path: Path) -> None:
    show = leaf(
        "show", "echo {{workflow.name}} {{workflow.parameters.p}} {{pod.name}} {{workflow.uid}}"
    )
    result = run(
        workflow(show, arguments={"parameters": [{"name": "p", "value": "default"}]}),
        tmp_path,
        {"p": "given"},
    )
    name, parameter, pod, uid = result.node("").logs.split()
    assert (name, parameter, pod.startswith("wf-show-"), len(uid)) == ("wf", "given", True, 36)


def test_unknown_variable_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(
        UnresolvedVariable, match=r"unresolved variable \{\{inputs.parameters.nope\}\}"
    ):
        run(workflow(leaf("x", "echo {{inputs.parameters.nope}}")), tmp_path)


def test_unevaluable_when_is_an_error_node_not_true(tmp_path: Path) -> None:
    main = {
        "name": "main",
        "dag": {"tasks": [{"name": "a", "template": "x", "when": "tails-x == tails-x"}]},
    }
    result = run(workflow(main, leaf("x", "true")), tmp_path)
    assert result.phase == "Error" and result.node("a").phase == "Error"


@pytest.mark.parametrize(
    ("edit", "feature"),
    [
        (lambda d: d["spec"].update(onExit="x"), "spec.onExit"),
        (lambda d: d["spec"]["templates"][0].update(sidecars=[]), "'sidecars'"),
        (
            lambda d: d["spec"]["templates"][0]["container"].update(volumeMounts=[]),
            "container.volumeMounts",
        ),
        (
            lambda d: d["spec"]["templates"][0]["container"]["command"].append(
                "{{=sprig.trim(workflow.name)}}"
            ),
            "function 'sprig.trim'",
        ),
    ],
)
def test_unsupported_features_are_named(tmp_path: Path, edit: Any, feature: str) -> None:
    document = workflow(leaf("x", "exit 1"))
    edit(document)
    unsupported = (UnsupportedFeature, UnsupportedExpression)
    with pytest.raises(unsupported, match=feature.replace(".", r"\.")):
        run(copy.deepcopy(document), tmp_path)


def test_empty_with_param_skips_the_task(tmp_path: Path) -> None:
    main = {
        "name": "main",
        "dag": {
            "tasks": [
                {"name": "fan", "template": "x", "withParam": "[]"},
                {"name": "after", "template": "x", "depends": "fan"},
            ]
        },
    }
    result = run(workflow(main, leaf("x", "true")), tmp_path)
    assert result.phases() == {"fan": "Skipped", "after": "Succeeded"}
    assert json.loads("[]") == []
