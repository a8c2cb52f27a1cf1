"""The Airflow target: `airflow.py`, one Airflow 3 DAG module per flow, rendered from the Jinja
templates in flowc.targets.airflow.templates (docs/targets/airflow.md has the mapping table).

The module imports Airflow and its providers only, never flowc: each task starts the runtime
shim (a pod of the KubernetesPodOperator, or a process on the worker in the local form) with
the command line `targets.base.shim_command` builds, and reads back the shim's outputs
through XCom. User strings are only ever Python literals (flowc.targets.airflow.literals).
"""

from __future__ import annotations

import ast
import dataclasses
from typing import Any, ClassVar

from flowc.compiler.diagnostics import Diagnostic
from flowc.compiler.ir.decorators import step_settings
from flowc.compiler.ir.graph import NodeKind
from flowc.compiler.pipeline import CheckedFlow
from flowc.targets.airflow import module
from flowc.targets.airflow.dag import DagBuilder, Statement
from flowc.targets.airflow.limits import airflow_problems
from flowc.targets.airflow.module import finished_asset
from flowc.targets.airflow.names import AirflowNames
from flowc.targets.airflow.settings import AirflowSettings
from flowc.targets.airflow.tasks import (
    StepTask,
    argv_lines,
    command,
    kubernetes_options,
    local_options,
)
from flowc.targets.base import Emitter
from flowc.targets.capabilities import Capability
from flowc.targets.lower import Lowered
from flowc.targets.lower.regions import Body, ForeachRegion, SwitchRegion, inner_bodies


class AirflowTarget(Emitter):
    name: ClassVar[str] = "airflow"
    SUPPORTS = frozenset({
        Capability.SPLIT, Capability.FOREACH, Capability.NESTED_FOREACH, Capability.SWITCH,
        Capability.RETRY, Capability.TIMEOUT, Capability.CATCH, Capability.RESOURCES,
        Capability.ENVIRONMENT, Capability.SECRETS, Capability.SCHEDULE, Capability.TRIGGER,
        Capability.PROJECT,
    })
    settings_class = AirflowSettings
    file_name = "airflow.py"

    @classmethod
    def unsupported(cls, checked: CheckedFlow) -> list[Diagnostic]:
        return [*super().unsupported(checked), *airflow_problems(checked)]

    def emit(self, lowered: Lowered, settings: Any) -> dict[str, bytes]:
        assert isinstance(settings, AirflowSettings), "the airflow target needs AirflowSettings"
        body = lowered.body
        extra, groups = _keys(body)
        names = AirflowNames.of(lowered, extra, groups)
        kubernetes = settings.operator == "kubernetes"
        start = lowered.graph.start
        parameters = {p.name: (p.type, p.separator) for p in lowered.flow.parameters}

        def step_statement(task: StepTask, var: str, task_id: str) -> Statement:
            if task.step == start:
                task = dataclasses.replace(task, parameters=parameters)
            if lowered.steps[task.step].step.transition is None:  # the end step
                task = dataclasses.replace(task, outlet=finished_asset(lowered.flow.name))
            step = step_settings(lowered.steps[task.step].step)
            options = kubernetes_options(task, step, settings) if kubernetes \
                else local_options(task, step)
            argv = command(task, settings, kubernetes)
            return {"kind": "step", "operator": settings.operator, "var": var,
                    "task_id": task_id, "argv": argv_lines(argv[1:] if kubernetes else argv),
                    "options": options}

        builder = DagBuilder(names, step_statement,
                             (lambda var: f"{var}.output") if kubernetes else (lambda var: var))
        builder.pushes = {name for name, step in lowered.steps.items()
                          if step.node.kind in (NodeKind.FOREACH, NodeKind.SWITCH)}
        statements = builder.build(body)
        text = module.render(lowered, settings, names, statements)
        ast.parse(text)  # a generated module that is not Python is flowc's bug: fail loudly
        return {self.file_name: text.encode("utf-8")}


def _keys(body: Body) -> tuple[list[str], list[str]]:
    """The keys of the tasks flowc adds and of the mapped groups, in walk order."""
    extra: list[str] = []
    groups: list[str] = []
    for region in body:
        match region:
            case ForeachRegion():
                extra.append(f"{region.step}/items")
                nested = sum(isinstance(inner, ForeachRegion) for inner in region.body)
                groups += [f"{region.step}/each" + (f"/{n}" if n > 1 else "")
                           for n in range(1, nested + 2)]
            case SwitchRegion():
                extra += [f"{region.step}/case/{case.target}" for case in region.cases]
        for inner in inner_bodies(region):
            more_extra, more_groups = _keys(inner)
            extra += more_extra
            groups += more_groups
    return extra, groups

