"""The Argo Workflows target: `argo.yaml`, one multi-document file holding the flow's
`WorkflowTemplate`, a `CronWorkflow` for `@schedule`, and an Argo Events `Sensor` for
`@trigger` / `@trigger_on_finish` (docs/targets/argo.md has the mapping table).

Plain data and PyYAML, not hera's models: importing hera costs more than the whole compile
(hera validates the output in the tests instead). User strings are only ever data: a value
Argo would read as an expression (`{{`) is kept out of what Argo substitutes.
"""

from __future__ import annotations

from typing import Any, ClassVar

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.ir import Parameter
from flowc.compiler.ir.decorators import step_settings
from flowc.compiler.pipeline import CheckedFlow
from flowc.runtime_shim.contracts.index_path import child_index_path
from flowc.targets.argo import documents
from flowc.targets.argo.container import container_template
from flowc.targets.argo.dag import DagBuilder, Scope
from flowc.targets.argo.limits import expression_problems, label_problems
from flowc.targets.argo.names import ArgoNames
from flowc.targets.argo.settings import ArgoSettings
from flowc.targets.base import Emitter
from flowc.targets.capabilities import Capability
from flowc.targets.lower import Lowered


class ArgoTarget(Emitter):
    name: ClassVar[str] = "argo"
    SUPPORTS = frozenset({
        Capability.SPLIT, Capability.FOREACH, Capability.NESTED_FOREACH, Capability.SWITCH,
        Capability.SWITCH_LOOP, Capability.RETRY, Capability.TIMEOUT, Capability.CATCH,
        Capability.RESOURCES, Capability.ENVIRONMENT, Capability.SECRETS, Capability.SCHEDULE,
        Capability.TRIGGER, Capability.PROJECT,
    })
    settings_class = ArgoSettings
    file_name = "argo.yaml"

    @classmethod
    def unsupported(cls, checked: CheckedFlow) -> list[Diagnostic]:
        problems = super().unsupported(checked)
        for parameter in checked.flow.parameters:
            problems.extend(_expression_in_default(parameter))
        problems.extend(label_problems(checked.flow))
        problems.extend(expression_problems(checked.flow))
        return problems

    def emit(self, lowered: Lowered, settings: Any) -> dict[str, bytes]:
        assert isinstance(settings, ArgoSettings), "the argo target needs ArgoSettings"
        names = ArgoNames.of(lowered)
        builder = DagBuilder(names.template, child_index_path,
                             lambda step, scope: _step_arguments(step, scope, names))
        builder.build(names.entrypoint, lowered.body)
        templates = [builder.templates[-1], *builder.templates[:-1]]
        start = lowered.graph.start
        for lowered_step in lowered.steps.values():
            inputs = names.inputs_of(lowered_step.name)
            parameters = tuple(p.name for p in lowered.flow.parameters) \
                if lowered_step.name == start else ()
            templates.append(container_template(
                names.template(lowered_step.name), lowered_step,
                step_settings(lowered_step.step), settings, inputs=inputs,
                parameters=parameters, argo_parameter=names.parameters))
        text = documents.render(lowered, settings, names, templates)
        return {self.file_name: text.encode("utf-8")}


def _step_arguments(step: str, scope: Scope, names: ArgoNames) -> list[dict[str, str]]:
    """The arguments a DAG task passes to a step's container template."""
    arguments = []
    for item in names.inputs_of(step):
        value = scope.index_path if item == "index-path" else scope.iteration
        arguments.append({"name": item, "value": value})
    return arguments


def _expression_in_default(parameter: Parameter) -> list[Diagnostic]:
    """A default that holds `{{` or `}}`: Argo would read it as an expression (it has no
    escape), so the default cannot go into the workflow's arguments."""
    default = parameter.default
    text = f"{default.source} {default.value!r}" if default is not None else ""
    if "{{" not in text and "}}" not in text:
        return []
    assert default is not None
    return [rule("FLC201").at(
        default.span,
        f"the argo target cannot carry the default of parameter '{parameter.name}': it "
        "contains '{{' or '}}', which Argo reads as an expression (there is no escape)",
        help="give the value when the workflow is submitted (argo submit -p), or change "
             "the default")]
