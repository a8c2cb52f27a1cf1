"""The AWS Step Functions target: `sfn.json`, the flow's state machine in the Amazon States
Language (JSONPath, not JSONata), and `sfn.schedule.json`, an EventBridge Scheduler schedule
for `@schedule` (docs/targets/sfn.md has the mapping table).

Every task runs the shim on AWS Batch or ECS with a `.sync` integration; what the machine
must know about a task (a foreach's fan-out, a switch's choice) it reads from the task's
outputs key in the S3 datastore, never from the container. Values never travel through the
machine, only the run id, index paths and iteration counts, so every state stays small.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, ClassVar

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.ir.decorators import step_settings
from flowc.compiler.pipeline import CheckedFlow
from flowc.runtime_shim.contracts.parameters import raw_default
from flowc.targets.base import Emitter
from flowc.targets.capabilities import Capability
from flowc.targets.lower import Lowered
from flowc.targets.lower.regions import ForeachRegion
from flowc.targets.sfn import names as state_names
from flowc.targets.sfn.machine import MachineBuilder
from flowc.targets.sfn.names import SfnNames
from flowc.targets.sfn.schedule import schedule_document, schedule_problems
from flowc.targets.sfn.settings import SfnSettings

# Step Functions' quota for a definition (what deploy sends: the compact JSON).
DEFINITION_LIMIT = 1024 * 1024


class SfnTarget(Emitter):
    name: ClassVar[str] = "sfn"
    SUPPORTS = frozenset({
        Capability.SPLIT, Capability.FOREACH, Capability.NESTED_FOREACH, Capability.SWITCH,
        Capability.SWITCH_LOOP, Capability.RETRY, Capability.TIMEOUT, Capability.CATCH,
        Capability.RESOURCES, Capability.ENVIRONMENT, Capability.SCHEDULE, Capability.PROJECT,
    })
    settings_class = SfnSettings
    file_name = "sfn.json"
    schedule_file_name = "sfn.schedule.json"

    @classmethod
    def unsupported(cls, checked: CheckedFlow) -> list[Diagnostic]:
        problems = super().unsupported(checked)
        problems.extend(schedule_problems(checked.flow))
        problems.extend(_image_problems(checked))
        return problems

    def emit(self, lowered: Lowered, settings: Any) -> dict[str, bytes]:
        assert isinstance(settings, SfnSettings), "the sfn target needs SfnSettings"
        names = SfnNames.of(lowered)
        builder = MachineBuilder(lowered, settings, names, _map_mode(settings))
        start, states = builder.body(lowered.body, None)
        definition = {"Comment": f"flowc: flow {lowered.flow.name}",
                      "StartAt": names.state(state_names.INPUT),
                      "States": {**_input_states(lowered, settings, names, start), **dict(states)}}
        files = {self.file_name: _render(definition)}
        schedule = schedule_document(lowered.flow, settings, name=names.schedule,
                                     state_machine=names.state_machine)
        if schedule is not None:
            files[self.schedule_file_name] = _render(schedule)
        return files

    def output_problems(self, lowered: Lowered, files: dict[str, bytes]) -> list[Diagnostic]:
        definition = json.loads(files[self.file_name])
        size = len(compact(definition))
        if size <= DEFINITION_LIMIT:
            return []
        return [rule("FLC305").at(
            lowered.flow.span,
            f"the state machine of flow '{lowered.flow.name}' is {size:,} bytes, over Step "
            f"Functions' {DEFINITION_LIMIT:,}-byte limit for a definition "
            f"({len(definition['States'])} top-level states)")]


def compact(definition: Any) -> bytes:
    """The definition as deploy sends it: compact JSON, UTF-8."""
    return json.dumps(definition, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _render(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _map_mode(settings: SfnSettings) -> Callable[[ForeachRegion, bool], str]:
    """The Map form of a foreach (docs/targets/sfn.md, "Foreach"): `auto` runs the outermost
    foreach of the execution distributed (each item a child execution with its own history,
    so the run's history does not grow with the fan-out) and the foreach nested inside it
    inline, in the child's history; an ItemReader (`map_items = s3`) needs a distributed Map."""
    def mode(region: ForeachRegion, in_child: bool) -> str:
        if settings.map_items == "s3" or settings.map_mode == "distributed":
            return "DISTRIBUTED"
        if settings.map_mode == "inline" or in_child:
            return "INLINE"
        return "DISTRIBUTED"
    return mode


def _input_states(lowered: Lowered, settings: SfnSettings, names: SfnNames,
                  start: str) -> dict[str, Any]:
    """Execution input -> the run's context: `{"parameters": {...}, "origin_run_id",
    "reuse_steps"}`, each optional; a parameter the input leaves out takes its default, and
    one without a default fails the execution at once (a Fail state naming it)."""
    parameters = lowered.flow.parameters
    defaults = {p.name: value for p in parameters if (value := raw_default(p)) is not None}
    required = [p.name for p in parameters if p.name not in defaults]
    context = names.state(state_names.CONTEXT)
    check = names.state(state_names.REQUIRED) if required else context
    states: dict[str, Any] = {
        names.state(state_names.INPUT): {
            "Type": "Pass",
            "Parameters": {"given.$": "$",
                           "defaults": {"parameters": {}, "origin_run_id": "",
                                        "reuse_steps": ""},
                           "parameter_defaults": defaults},
            "Next": names.state(state_names.DEFAULTS)},
        names.state(state_names.DEFAULTS): {
            "Type": "Pass",
            "Parameters": {"given.$": "States.JsonMerge($.defaults, $.given, false)",
                           "parameter_defaults.$": "$.parameter_defaults"},
            "Next": check},
    }
    if required:
        states[check] = {"Type": "Choice", "Choices": [
            {"Not": {"Variable": f"$.given.parameters.{name}", "IsPresent": True},
             "Next": names.state(f"flowc.missing.{name}")} for name in required],
            "Default": context}
        for name in required:
            states[names.state(f"flowc.missing.{name}")] = {
                "Type": "Fail", "Error": "flowc.MissingParameter",
                "Cause": f"the execution input has no parameters.{name}, and parameter "
                         f"'{name}' has no default"}
    states[context] = {
        "Type": "Pass",
        "Parameters": {
            "parameters.$": "States.JsonMerge($.parameter_defaults, $.given.parameters, false)",
            "flowc": _run_context(settings),
            "index_path": "", "task_path": ""},
        "Next": start}
    return states


def _run_context(settings: SfnSettings) -> dict[str, Any]:
    """`$.flowc`: what every task state reads, written once (flowc.targets.sfn.task)."""
    context: dict[str, Any] = {"run_id.$": "$$.Execution.Name",
                               "python": settings.python,
                               "datastore": settings.datastore,
                               "key_prefix": _key_prefix(settings),
                               "code_package": settings.code_package or ""}
    if settings.compute == "ecs":
        context.update(cluster=settings.cluster, task_definition=settings.task_definition)
    else:
        context.update(job_queue=settings.job_queue, job_definition=settings.job_definition)
    context.update({"origin_run_id.$": "$.given.origin_run_id",
                    "reuse_steps.$": "$.given.reuse_steps"})
    return context


def _key_prefix(settings: SfnSettings) -> str:
    prefix = settings.bucket_and_prefix[1]
    return f"{prefix}/" if prefix else ""


def _image_problems(checked: CheckedFlow) -> list[Diagnostic]:
    """FLC202 for a step's own image: Batch and ECS run the job (task) definition's image,
    which an execution cannot override."""
    problems = []
    for step in checked.flow.steps:
        settings = step_settings(step)
        for decorator_name, values in (("kubernetes", settings.kubernetes),
                                       ("batch", settings.batch)):
            decorator = step.decorator(decorator_name)
            if values is None or decorator is None or not values.image:
                continue
            problems.append(rule("FLC202").at(
                decorator.span,
                f"the sfn target ignores @{decorator_name}(image=...) on step '{step.name}': "
                "every task runs the image of the job (or task) definition",
                help="register a job definition with that image and compile the flow with "
                     "--set job_definition=..., or bake what the step needs into the image"))
    return problems
