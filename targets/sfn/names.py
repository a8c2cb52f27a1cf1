"""Step Functions names for everything a flow becomes: the state machine (80 characters of
`[A-Za-z0-9_-]`), its states (80 characters; flowc keeps to `[A-Za-z0-9_.-]`, a subset of
what ASL allows), Batch job names (128 of `[A-Za-z0-9_-]`) and the EventBridge schedule (64 of
`[A-Za-z0-9_.-]`). Changed names carry a stable hash suffix (flowc.targets.names); every set
is checked for collisions.

A step's states are keyed `step` (the task), `step.outputs`, `step.choice`, `step.map`, ...:
a step name is an identifier, so no key made here can equal a step's own key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flowc.compiler.ir.graph import NodeKind
from flowc.targets.lower import Lowered
from flowc.targets.names import NameRules, assign

MACHINE = NameRules(limit=80, allowed="A-Za-z0-9_-", replacement="_", lowercase=False,
                    edges="A-Za-z0-9")
STATE = NameRules(limit=80, allowed="A-Za-z0-9_.-", replacement="_", lowercase=False,
                  edges="A-Za-z0-9_")
JOB = NameRules(limit=128, allowed="A-Za-z0-9_-", replacement="_", lowercase=False,
                edges="A-Za-z0-9")
SCHEDULE = NameRules(limit=64, allowed="A-Za-z0-9_.-", replacement="_", lowercase=False,
                     edges="A-Za-z0-9")

# The states every machine starts with (execution input -> the run's context).
INPUT = "flowc.input"
DEFAULTS = "flowc.defaults"
REQUIRED = "flowc.required"
CONTEXT = "flowc.context"
FIXED = (INPUT, DEFAULTS, REQUIRED, CONTEXT)


def state_keys(lowered: Lowered) -> list[str]:
    """Every state key the machine may use, in a fixed order."""
    keys: list[str] = [*FIXED]
    keys += [f"flowc.missing.{parameter.name}" for parameter in lowered.flow.parameters]
    for name, lowered_step in lowered.steps.items():
        node = lowered_step.node
        keys.append(name)
        if node.kind is NodeKind.SPLIT:
            keys.append(f"{name}.split")
        if node.kind is NodeKind.FOREACH:
            keys += [f"{name}.outputs", f"{name}.map"]
        if node.kind is NodeKind.SWITCH:
            keys += [f"{name}.outputs", f"{name}.choice", f"{name}.end"]
            if node.is_loop:
                keys += [f"{name}.loop", f"{name}.again"]
    return keys


@dataclass(frozen=True, slots=True, kw_only=True)
class SfnNames:
    state_machine: str
    schedule: str
    states: Mapping[str, str]  # key (a step, or "step.outputs" etc.) -> state name
    jobs: Mapping[str, str]  # step -> Batch job name

    @classmethod
    def of(cls, lowered: Lowered) -> SfnNames:
        flow = lowered.flow
        project = flow.decorator("project")
        project_name = project.literal("name") if project is not None else None
        base = f"{project_name}_{flow.name}" if isinstance(project_name, str) else flow.name
        machine = MACHINE.fit(base)
        jobs = assign(JOB, [f"{machine}-{step}" for step in lowered.steps])
        return cls(
            state_machine=machine,
            schedule=SCHEDULE.fit(base),
            states=assign(STATE, state_keys(lowered)),
            jobs={step: jobs[f"{machine}-{step}"] for step in lowered.steps},
        )

    def state(self, key: str) -> str:
        return self.states[key]
