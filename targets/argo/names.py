"""Argo names for everything a flow becomes: the objects (63 characters, 57 for a template
whose workflows add a 6-character suffix, 52 for a CronWorkflow), templates and tasks (128 of
`[a-z0-9-]`), and workflow parameters. Changed names carry a stable hash suffix
(flowc.targets.names); every set is checked for collisions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from flowc.targets.lower import Lowered
from flowc.targets.names import NameRules, assign

OBJECT = NameRules(limit=57, allowed="a-z0-9-")  # workflows add "-xxxxx" (generateName)
CRON = NameRules(limit=52, allowed="a-z0-9-")
TEMPLATE = NameRules(limit=128, allowed="a-z0-9-")
PARAMETER = NameRules(limit=128, allowed="a-zA-Z0-9_-", replacement="_", lowercase=False,
                      edges="a-zA-Z0-9_")
LABEL = NameRules(limit=63, allowed="a-zA-Z0-9_.-", replacement="-", lowercase=False,
                  edges="a-zA-Z0-9")
DEPENDENCY = NameRules(limit=63, allowed="a-z0-9-")  # a Sensor's dependency names
CODE_PACKAGE_PARAMETER = "flowc-code-package"
# resume on Argo (docs/targets/argo.md): the origin run and the steps it lends, empty when fresh
ORIGIN_RUN_PARAMETER = "flowc-origin-run"
REUSE_STEPS_PARAMETER = "flowc-reuse-steps"
RESERVED_PARAMETERS = (CODE_PACKAGE_PARAMETER, ORIGIN_RUN_PARAMETER, REUSE_STEPS_PARAMETER)
ENTRYPOINT = "/main"  # a key no step name can equal


def kebab(name: str) -> str:
    """`SwitchInForeachFlow` -> `switch-in-foreach-flow` (the object names people read)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", name).lower()


@dataclass(frozen=True, slots=True, kw_only=True)
class ArgoNames:
    workflow_template: str
    cron_workflow: str
    entrypoint: str
    templates: Mapping[str, str]  # step name, or "step/body" etc. -> template (= task) name
    parameters: Mapping[str, str]  # flow parameter -> workflow parameter
    inputs: Mapping[str, tuple[str, ...]]  # step -> its container template's inputs

    @classmethod
    def of(cls, lowered: Lowered) -> ArgoNames:
        flow = lowered.flow
        project = flow.decorator("project")
        base = kebab(flow.name)
        project_name = project.literal("name") if project is not None else None
        if isinstance(project_name, str):
            base = f"{kebab(project_name)}-{base}"
        keys: list[str] = [*lowered.steps]
        for lowered_step in lowered.steps.values():
            name, node = lowered_step.name, lowered_step.node
            if node.kind.value == "foreach":
                keys.append(f"{name}/body")
            if node.kind.value == "switch":
                keys += [f"{name}/loop", f"{name}/again"] if node.is_loop else []
                keys += [f"{name}/case/{target}" for target in node.out_steps]
        templates = assign(TEMPLATE, [ENTRYPOINT, *keys])
        inputs = {}
        for name, lowered_step in lowered.steps.items():
            node = lowered_step.node
            inputs[name] = (("index-path",) if node.foreach_depth else ()) + \
                (("iteration",) if node.is_loop else ())
        return cls(
            workflow_template=OBJECT.fit(kebab(base).replace("_", "-")),
            cron_workflow=CRON.fit(kebab(base).replace("_", "-")),
            entrypoint=templates[ENTRYPOINT],
            templates=templates,
            parameters=assign(PARAMETER, [p.name for p in flow.parameters],
                              taken=list(RESERVED_PARAMETERS)),
            inputs=inputs,
        )

    def template(self, key: str) -> str:
        return self.templates[key]

    def inputs_of(self, step: str) -> tuple[str, ...]:
        return self.inputs[step]
