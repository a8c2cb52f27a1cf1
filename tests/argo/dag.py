"""DAG templates as Argo's controller runs them: a task starts once every task its `depends`
(or `dependencies`) names is fulfilled, is Omitted when that expression is false, independent
tasks run in parallel, and the DAG's phase comes from its leaf tasks' branches (dag.go)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from argo.expressions import ExpressionError, bare_dependency, depends_operands, evaluate_depends
from argo.fanout import Execute, published_outputs, run_task
from argo.model import ERROR, FAILED, OMITTED, SKIPPED, SUCCEEDED, NodeResult
from argo.variables import UnsupportedFeature

DAG_FIELDS = {"tasks", "failFast"}
Declared = Callable[[str], dict[str, Any]]  # template name -> {output name: valueFrom.default}


def dependencies_of(task: dict[str, Any]) -> list[str]:
    """The task names a DAG task waits for, from `depends` or `dependencies`."""
    if task.get("depends"):
        return list(dict.fromkeys(name for name, _ in depends_operands(task["depends"])))
    return list(task.get("dependencies") or [])


class DagRun:
    """The scheduling state of one DAG node."""

    def __init__(
        self,
        template: dict[str, Any],
        node_name: str,
        execute: Execute,
        declared: Declared,
        record: Callable[[NodeResult], None],
    ) -> None:
        dag = template["dag"]
        for key in dag:
            if key not in DAG_FIELDS:
                raise UnsupportedFeature(
                    f"template {template['name']!r}: dag.{key} is not supported"
                )
        self.template, self.node_name = template, node_name
        self.execute, self.declared, self.record = execute, declared, record
        self.tasks = {task["name"]: task for task in dag["tasks"]}
        self.deps = {name: dependencies_of(task) for name, task in self.tasks.items()}
        self._check_graph()
        self.nodes: dict[str, NodeResult] = {}
        self.children: dict[str, list[NodeResult]] = {}
        self.outputs: dict[str, dict[str, str]] = {}
        limit = template.get("parallelism")
        self.slots = threading.BoundedSemaphore(int(limit)) if limit else None

    def _check_graph(self) -> None:
        where = f"templates.{self.template['name']}.tasks"
        for name, deps in self.deps.items():
            for dependency in deps:
                if dependency not in self.tasks:
                    raise ValueError(f"{where}.{name} dependency '{dependency}' not defined")
        placed: set[str] = set()
        while len(placed) < len(self.tasks):
            ready = [n for n in self.tasks if n not in placed and set(self.deps[n]) <= placed]
            if not ready:
                raise ValueError(
                    f"{where}: dependency cycle among {sorted(set(self.tasks) - placed)}"
                )
            placed.update(ready)

    def _result(self, dependency: str, result: str | None) -> bool:
        node = self.nodes[dependency]
        if result is None:
            return bare_dependency(node.phase, self.tasks[dependency].get("continueOn") or {})
        phase_of = {
            "Succeeded": SUCCEEDED,
            "Failed": FAILED,
            "Errored": ERROR,
            "Skipped": SKIPPED,
            "Omitted": OMITTED,
        }
        if result in phase_of:
            return node.phase == phase_of[result]
        children = [c.phase for c in self.children.get(dependency, [])]
        if result == "AnySucceeded":
            return SUCCEEDED in children
        if result == "AllFailed":
            return bool(children) and all(p == FAILED for p in children)
        return False  # Daemoned: no daemons here

    def _should_run(self, name: str) -> bool:
        task = self.tasks[name]
        if task.get("depends"):
            return evaluate_depends(task["depends"], self._result)
        return all(self._result(d, None) for d in self.deps[name])

    def _ancestors(self, name: str) -> set[str]:
        seen: set[str] = set()
        stack = list(self.deps[name])
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(self.deps[current])
        return seen

    def _scope(self, name: str, base: dict[str, str]) -> dict[str, str]:
        scope = dict(base)
        for ancestor in sorted(self._ancestors(name)):
            scope.update(self.outputs[ancestor])
        return scope

    def _finish(self, name: str, node: NodeResult, children: list[NodeResult]) -> None:
        self.nodes[name], self.children[name] = node, children
        for child in children:
            self.record(child)
        self.record(node)
        declared = self.declared(self.tasks[name].get("template", ""))
        self.outputs[name] = published_outputs(f"tasks.{name}", node, children, declared)

    def run(self, base_scope: dict[str, str]) -> dict[str, str]:
        """Run every task; returns the scope of all tasks' outputs (for the DAG's own outputs)."""
        done: queue.Queue[tuple[str, Any]] = queue.Queue()
        started: set[str] = set()
        running = 0

        def limited(task: dict[str, Any], node_name: str) -> NodeResult:
            if self.slots is None:
                return self.execute(task, node_name)
            with self.slots:  # template parallelism: active children (loop items included)
                return self.execute(task, node_name)

        def work(name: str, scope: dict[str, str]) -> None:
            try:
                done.put(
                    (name, run_task(self.tasks[name], f"{self.node_name}.{name}", scope, limited))
                )
            except BaseException as error:  # re-raised by the scheduling thread
                done.put((name, error))

        while True:
            changed = True
            while changed:
                changed = False
                for name in self.tasks:
                    if name in started or any(d not in self.nodes for d in self.deps[name]):
                        continue
                    started.add(name)
                    changed = True
                    try:
                        go = self._should_run(name)
                    except ExpressionError as error:
                        self._finish(name, self._omitted(name, str(error), ERROR), [])
                        continue
                    if not go:
                        self._finish(
                            name,
                            self._omitted(name, "omitted: depends condition not met", OMITTED),
                            [],
                        )
                        continue
                    threading.Thread(
                        target=work, args=(name, self._scope(name, base_scope))
                    ).start()
                    running += 1
            if running == 0:
                break
            name, outcome = done.get()
            running -= 1
            if isinstance(outcome, BaseException):
                raise outcome
            self._finish(name, *outcome)
        scope = dict(base_scope)
        for name in self.tasks:
            scope.update(self.outputs.get(name, {}))
        return scope

    def _omitted(self, name: str, message: str, phase: str) -> NodeResult:
        template = self.tasks[name].get("template", "")
        return NodeResult(
            name=f"{self.node_name}.{name}",
            template=template,
            phase=phase,
            kind="Skipped",
            message=message,
        )

    def phase(self) -> str:
        """Argo's assessDAGPhase: a leaf's branch phase is its own if it completed, else inherited
        (Failed/Error preferred); the DAG fails if a leaf's branch failed (unless continueOn)."""
        branch: dict[str, str] = {}
        pending = list(self.tasks)
        while pending:
            name = next(n for n in pending if all(d in branch for d in self.deps[n]))
            pending.remove(name)
            own = self.nodes[name].phase
            if own in (SUCCEEDED, FAILED, ERROR):
                branch[name] = own
            else:
                inherited = [branch[d] for d in self.deps[name] if branch[d] in (FAILED, ERROR)]
                branch[name] = inherited[0] if inherited else SUCCEEDED
        leaves = [n for n in self.tasks if not any(n in deps for deps in self.deps.values())]
        for leaf in sorted(leaves):
            phase = branch[leaf]
            continue_on = self.tasks[leaf].get("continueOn") or {}
            if phase in (FAILED, ERROR) and not continue_on.get(
                "failed" if phase == FAILED else "error"
            ):
                return phase
        return SUCCEEDED
