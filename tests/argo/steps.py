"""Steps templates as Argo's controller runs them (steps.go): step groups run one after the
other, the steps of a group in parallel; a failed step (without continueOn) fails the template
and no later group runs; `{{steps.X.…}}` sees the outputs of earlier groups."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from argo.fanout import Execute, published_outputs, run_task
from argo.model import ERROR, FAILED, SUCCEEDED, NodeResult

Declared = Callable[[str], dict[str, Any]]


def run_steps(
    template: dict[str, Any],
    node_name: str,
    base_scope: dict[str, str],
    execute: Execute,
    declared: Declared,
    record: Callable[[NodeResult], None],
) -> tuple[str, str, dict[str, str]]:
    """Run a steps template; returns (phase, message, scope with every step's outputs)."""
    scope = dict(base_scope)
    limit = template.get("parallelism")
    slots = threading.BoundedSemaphore(int(limit)) if limit else None

    def limited(task: dict[str, Any], name: str) -> NodeResult:
        if slots is None:
            return execute(task, name)
        with slots:
            return execute(task, name)

    for index, group in enumerate(template["steps"]):
        group_name = f"{node_name}[{index}]"
        outcomes: dict[str, tuple[NodeResult, list[NodeResult]] | BaseException] = {}

        def work(
            step: dict[str, Any],
            group_scope: dict[str, str],
            group_name: str,
            outcomes: dict[str, Any],
        ) -> None:
            try:
                outcomes[step["name"]] = run_task(
                    step, f"{group_name}.{step['name']}", group_scope, limited
                )
            except BaseException as error:  # re-raised below, in this thread
                outcomes[step["name"]] = error

        group_scope = dict(scope)
        threads = [
            threading.Thread(target=work, args=(step, group_scope, group_name, outcomes))
            for step in group or []
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        failed: list[str] = []
        for step in group or []:
            outcome = outcomes[step["name"]]
            if isinstance(outcome, BaseException):
                raise outcome
            node, children = outcome
            for child in children:
                record(child)
            record(node)
            continue_on = step.get("continueOn") or {}
            if node.phase in (FAILED, ERROR) and not continue_on.get(
                "failed" if node.phase == FAILED else "error"
            ):
                failed.append(node.name)
            scope.update(
                published_outputs(
                    f"steps.{step['name']}", node, children, declared(step.get("template", ""))
                )
            )
        if failed:
            return (
                FAILED,
                f"step group {group_name} was unsuccessful: child '{failed[0]}' failed",
                scope,
            )
    return SUCCEEDED, "", scope
