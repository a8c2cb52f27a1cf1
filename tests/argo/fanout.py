"""One DAG task or step, as the controller runs it: `when`, the loop expansion (`withItems`,
`withParam`, `withSequence`) into children run in parallel, and the outputs it publishes to the
tasks or steps after it (aggregated into JSON lists for a fanned-out task)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from argo.expressions import ExpressionError, evaluate_when
from argo.model import ERROR, FAILED, SKIPPED, SUCCEEDED, NodeResult
from argo.variables import (
    UnresolvedVariable,
    UnsupportedFeature,
    format_value,
    item_scope,
    substitute,
    substitute_all,
    tags_in,
)

TASK_FIELDS = {
    "name",
    "template",
    "arguments",
    "when",
    "withItems",
    "withParam",
    "withSequence",
    "continueOn",
}
Execute = Callable[[dict[str, Any], str], NodeResult]  # (resolved task, node name) -> node


def expand_items(task: dict[str, Any], where: str) -> list[Any] | None:
    """The loop items of a resolved task, or None when it does not loop."""
    if "withItems" in task:
        return list(task["withItems"])
    if "withParam" in task:
        try:
            items = json.loads(task["withParam"])
        except json.JSONDecodeError as error:
            raise ValueError(
                f"withParam value could not be parsed as a JSON list{where}: {error}"
            ) from None
        if not isinstance(items, list):
            raise ValueError(f"withParam value is not a JSON list{where}: {task['withParam']!r}")
        return items
    if "withSequence" in task:
        sequence = task["withSequence"]
        pattern = str(sequence.get("format", "%d"))  # Go's fmt.Sprintf verbs, as printf
        start = int(sequence.get("start", 0))
        if "count" in sequence:
            numbers = range(start, start + int(sequence["count"]))
        else:
            end = int(sequence["end"])
            numbers = range(start, end + 1) if end >= start else range(start, end - 1, -1)
        try:
            return [pattern % n for n in numbers]
        except (TypeError, ValueError):
            raise UnsupportedFeature(f"withSequence.format {pattern!r}{where}") from None
    return None


def _item_description(item: Any) -> str:
    if isinstance(item, dict):
        return ",".join(sorted(f"{k}:{format_value(v)}" for k, v in item.items()))
    return format_value(item)


def _skipped(name: str, task: dict[str, Any], message: str, phase: str = SKIPPED) -> NodeResult:
    return NodeResult(
        name=name, template=task.get("template", ""), phase=phase, kind="Skipped", message=message
    )


def _run_one(task: dict[str, Any], name: str, execute: Execute, where: str) -> NodeResult:
    when = task.get("when")
    if when:
        try:
            if not evaluate_when(when):
                return _skipped(name, task, f"when '{when}' evaluated false")
        except ExpressionError as error:
            return _skipped(name, task, f"invalid when{where}: {error}", phase=ERROR)
    return execute(task, name)


def run_task(
    task: dict[str, Any], name: str, scope: dict[str, str], execute: Execute
) -> tuple[NodeResult, list[NodeResult]]:
    """Run one task with its references in `scope`; returns its node and its loop children."""
    where = f" in task {task['name']!r}"
    for key in task:
        if key not in TASK_FIELDS | {"depends", "dependencies"}:
            raise UnsupportedFeature(f"task field {key!r}{where}")
    when = task.get("when")
    if when and not any(t == "item" or t.startswith("item.") for t in tags_in(when)):
        # Argo decides a loop-free `when` before resolving the rest of the task.
        try:
            if not evaluate_when(substitute(when, scope, where=where)):
                return _skipped(name, task, f"when '{when}' evaluated false"), []
        except (UnresolvedVariable, ExpressionError) as error:
            return _skipped(name, task, f"invalid when{where}: {error}", phase=ERROR), []
    try:
        resolved = substitute_all(task, scope, defer=("item",), where=where)
        items = expand_items(resolved, where)
    except UnsupportedFeature:
        raise
    except (UnresolvedVariable, ValueError) as error:
        return _skipped(name, task, str(error), phase=ERROR), []
    if items is None:
        try:
            single = substitute_all(resolved, {}, where=where)
        except UnresolvedVariable as error:
            return _skipped(name, task, str(error), phase=ERROR), []
        return _run_one(single, name, execute, where), []
    if not items:
        return _skipped(name, task, "Skipped, empty params"), []
    children: list[NodeResult | None] = [None] * len(items)

    def child(index: int, item: Any) -> None:
        child_name = f"{name}({index}:{_item_description(item)})"
        try:
            concrete = substitute_all(resolved, item_scope(item), where=where)
        except UnresolvedVariable as error:
            children[index] = _skipped(child_name, task, str(error), phase=ERROR)
            return
        children[index] = _run_one(concrete, child_name, execute, where)

    errors: list[BaseException] = []

    def guarded(index: int, item: Any) -> None:
        try:
            child(index, item)
        except BaseException as error:  # re-raised in the caller's thread
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(i, item)) for i, item in enumerate(items)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    done = [c for c in children if c is not None]
    phase = SUCCEEDED
    for c in done:
        if c.phase in (FAILED, ERROR):
            phase = c.phase
    group = NodeResult(name=name, template=task.get("template", ""), phase=phase, kind="TaskGroup")
    return group, done


def published_outputs(
    prefix: str, node: NodeResult, children: list[NodeResult], declared: dict[str, Any]
) -> dict[str, str]:
    """What `{{<prefix>.<name>.…}}` resolves to after this task (prefix is `tasks.X` or `steps.X`).
    `declared` maps the called template's output parameter names to their valueFrom.default."""
    scope = {f"{prefix}.status": node.phase}
    if node.kind == "TaskGroup":
        succeeded = [c for c in children if c.phase == SUCCEEDED and c.kind != "Skipped"]
        maps = [dict(c.parameters) for c in succeeded if c.parameters]
        scope[f"{prefix}.outputs.parameters"] = json.dumps(
            maps, separators=(",", ":"), sort_keys=True
        )
        for output in sorted({k for m in maps for k in m}):
            scope[f"{prefix}.outputs.parameters.{output}"] = _aggregate(
                [m[output] for m in maps if output in m]
            )
        try:  # Argo parses each child's result as JSON; one that is not makes the aggregate absent
            results = [json.loads(c.result) for c in succeeded if c.result is not None]
            scope[f"{prefix}.outputs.result"] = json.dumps(results, separators=(",", ":"))
        except json.JSONDecodeError:
            pass
        return scope
    if node.kind == "Skipped":
        for output, default in declared.items():
            if default is not None:
                scope[f"{prefix}.outputs.parameters.{output}"] = str(default)
        return scope
    if node.exit_code is not None:
        scope[f"{prefix}.exitCode"] = str(node.exit_code)
    for key, value in node.parameters:
        scope[f"{prefix}.outputs.parameters.{key}"] = value
    if node.result is not None:
        scope[f"{prefix}.outputs.result"] = node.result
    return scope


def _aggregate(values: list[str]) -> str:
    """Argo's aggregatedJSONValueList: JSON objects/lists if every value is one, else strings."""
    parsed = []
    for value in values:
        try:
            loaded = json.loads(value)
        except json.JSONDecodeError:
            return json.dumps(values, separators=(",", ":"))
        if not isinstance(loaded, dict | list):
            return json.dumps(values, separators=(",", ":"))
        parsed.append(loaded)
    return json.dumps(parsed, separators=(",", ":"))
