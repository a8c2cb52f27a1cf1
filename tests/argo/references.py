"""Argo's reference checks, which the JSON schema cannot express (after Argo's
workflow/validate/validate.go and pkg/apis/workflow/v1alpha1/validation_utils.go): names and
their limits, template references, DAG dependencies and cycles, and every `{{...}}` variable."""

from __future__ import annotations

import re
from typing import Any

from argo.expressions import ExpressionError, depends_operands
from argo.variables import tags_in

UNRESOLVED = "does not resolve (unknown task or step, not a dependency, or undeclared output)"
MAX_OBJECT_NAME = 63  # maxCharsInObjectName: Kubernetes label values
MAX_CRON_NAME = 52  # maxCharsInCronWorkflowName: leaves room for "-<unix time>"
MAX_FIELD_NAME = 128  # workflowFieldMaxLength
FIELD_NAME = re.compile(r"^[a-zA-Z0-9][-a-zA-Z0-9]*$")  # templates, tasks, steps
PARAM_NAME = re.compile(r"^[-a-zA-Z0-9_]+$")  # parameters and artifacts
RFC1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
ANYWHERE = re.compile(
    r"^(node\.name|tasks\.name|steps\.name|workflow\.(name|namespace|uid|mainEntrypoint|serviceAccountName"
    r"|parameters|parameters\.json|creationTimestamp.*|labels(\..+)?|annotations(\..+)?|status|failures"
    r"|duration|priority|scheduledTime|outputs\..+)|cronworkflow\..+|inputs\.artifacts\..+)$"
)
# Leaf-only: the pod's own variables, its retry state and its output/artifact paths.
LEAF_ONLY = re.compile(
    r"^(retries|pod\.name|lastRetry\..+|outputs\.(parameters|artifacts)\.[^.]+\.path)$"
)
NOT_SCANNED = ("metrics", "hooks", "onExit")  # self-referencing variables of metrics and exit hooks


def _field_name_problems(where: str, names: list[str]) -> list[str]:
    problems, seen = [], set()
    for name in names:
        if len(name) > MAX_FIELD_NAME:
            problems.append(
                f"{where} name {name!r} must be no more than {MAX_FIELD_NAME} characters"
            )
        if not FIELD_NAME.match(name):
            problems.append(
                f"{where} name {name!r} must consist of alpha-numeric characters or '-', "
                "and must start with an alpha-numeric character"
            )
        if name in seen:
            problems.append(f"{where} name {name!r} is not unique")
        seen.add(name)
    return problems


def _metadata_problems(document: dict[str, Any]) -> list[str]:
    metadata = document.get("metadata") or {}
    name = metadata.get("name")
    limit = MAX_CRON_NAME if document.get("kind") == "CronWorkflow" else MAX_OBJECT_NAME
    if name is None:
        return (
            [] if metadata.get("generateName") else ["metadata: name or generateName is required"]
        )
    problems = []
    if len(name) > limit:
        problems.append(
            f"metadata.name {name!r} must not be more than {limit} characters long "
            f"(currently {len(name)})"
        )
    if not RFC1123_SUBDOMAIN.match(name):
        problems.append(f"metadata.name {name!r} must be a lowercase RFC 1123 subdomain")
    return problems


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    if isinstance(node, dict):
        return [s for key, value in node.items() if key not in NOT_SCANNED for s in _strings(value)]
    return []


def _ancestors(deps: dict[str, list[str]], name: str) -> set[str]:
    seen: set[str] = set()
    stack = list(deps.get(name, []))
    while stack:
        current = stack.pop()
        if current not in seen and current in deps:
            seen.add(current)
            stack.extend(deps[current])
    return seen


class _Checker:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.templates = {t.get("name"): t for t in spec.get("templates") or []}
        self.parameters = {
            p.get("name") for p in (spec.get("arguments") or {}).get("parameters") or []
        }
        self.problems: list[str] = []

    def outputs_of(self, template_name: str) -> set[str]:
        template = self.templates.get(template_name) or {}
        return {p.get("name") for p in (template.get("outputs") or {}).get("parameters") or []}

    def check(self) -> list[str]:
        self.problems += _field_name_problems("spec.templates", [str(n) for n in self.templates])
        entrypoint = self.spec.get("entrypoint")
        if entrypoint and self.templates and entrypoint not in self.templates:
            self.problems.append(f"spec.entrypoint template name '{entrypoint}' undefined")
        for param in self.parameters:
            if not PARAM_NAME.match(str(param)):
                self.problems.append(f"spec.arguments.parameters name {param!r} is invalid")
        for name, template in self.templates.items():
            where = f"templates.{name}"
            inputs = {p.get("name") for p in (template.get("inputs") or {}).get("parameters") or []}
            for param in inputs | self.outputs_of(name):
                if not PARAM_NAME.match(str(param)):
                    self.problems.append(f"{where} parameter name {param!r} is invalid")
            leaf = "dag" not in template and "steps" not in template
            if "dag" in template:
                self._dag(where, template, inputs)
            elif "steps" in template:
                self._steps(where, template, inputs)
            else:
                self._variables(where, _strings(template), inputs, leaf=leaf, scope=set())
        return self.problems

    def _variables(
        self,
        where: str,
        texts: list[str],
        inputs: set[str],
        *,
        leaf: bool,
        scope: set[str],
        loop: bool = False,
    ) -> None:
        for text in texts:
            for tag in tags_in(text):
                if tag.startswith("inputs.parameters."):
                    if tag.removeprefix("inputs.parameters.") not in inputs:
                        self.problems.append(
                            f"{where}: {{{{{tag}}}}} names no declared input parameter"
                        )
                elif tag.startswith("workflow.parameters.") and tag != "workflow.parameters.json":
                    if tag.removeprefix("workflow.parameters.") not in self.parameters:
                        self.problems.append(
                            f"{where}: {{{{{tag}}}}} is not declared in spec.arguments"
                        )
                elif tag in ("item",) or tag.startswith("item."):
                    if not loop:
                        self.problems.append(
                            f"{where}: {{{{{tag}}}}} used without withItems/withParam/withSequence"
                        )
                elif tag.startswith(("tasks.", "steps.")) and tag not in (
                    "tasks.name",
                    "steps.name",
                ):
                    artifact = re.match(
                        r"^((?:tasks|steps)\.[^.]+)\.(outputs\.artifacts\..+|hostNodeName)$", tag
                    )
                    if artifact and f"{artifact.group(1)}.status" in scope:
                        continue  # artifacts and host names are not modelled: the task is enough
                    if tag not in scope:
                        self.problems.append(f"{where}: {{{{{tag}}}}} {UNRESOLVED}")
                elif LEAF_ONLY.match(tag):
                    if not leaf:
                        self.problems.append(
                            f"{where}: {{{{{tag}}}}} is only defined in leaf (pod) templates"
                        )
                elif tag == "inputs.parameters" or re.match(
                    r"^outputs\.(parameters\.[^.]+|result)$", tag
                ):
                    continue
                elif not ANYWHERE.match(tag):
                    self.problems.append(f"{where}: {{{{{tag}}}}} is not a known variable")

    def _published(self, prefix: str, task: dict[str, Any]) -> set[str]:
        outputs = self.outputs_of(task.get("template", ""))
        names = {f"{prefix}.outputs.parameters.{p}" for p in outputs} | {
            f"{prefix}.{k}"
            for k in ("status", "exitCode", "id", "startedAt", "finishedAt", "outputs.result", "ip")
        }
        if any(k in task for k in ("withItems", "withParam", "withSequence")):
            names.add(f"{prefix}.outputs.parameters")
        return names

    def _call(self, where: str, task: dict[str, Any]) -> None:
        target = task.get("template")
        if target is not None and target not in self.templates:
            self.problems.append(f"{where}: template name '{target}' undefined")
        if target is None and "templateRef" not in task and "inline" not in task:
            self.problems.append(f"{where}: template or templateRef is required")

    def _dag(self, where: str, template: dict[str, Any], inputs: set[str]) -> None:
        tasks = {t.get("name"): t for t in template["dag"].get("tasks") or []}
        self.problems += _field_name_problems(
            f"{where}.tasks", [str(t.get("name")) for t in template["dag"].get("tasks") or []]
        )
        using_depends = any(t.get("depends") for t in tasks.values())
        deps: dict[str, list[str]] = {}
        for name, task in tasks.items():
            self._call(f"{where}.tasks.{name}", task)
            if using_depends and task.get("dependencies"):
                self.problems.append(
                    f"{where} cannot use both 'depends' and 'dependencies' in the same DAG template"
                )
            if (using_depends or task.get("dependencies")) and str(name)[:1].isdigit():
                self.problems.append(
                    f"{where}.tasks.{name} name cannot begin with a digit "
                    "when using either 'depends' or 'dependencies'"
                )
            try:
                names = (
                    [n for n, _ in depends_operands(task["depends"])]
                    if task.get("depends")
                    else list(task.get("dependencies") or [])
                )
            except ExpressionError as error:
                self.problems.append(f"{where}.tasks.{name} depends: {error}")
                names = []
            deps[name] = [n for n in names if n in tasks]
            for missing in sorted(set(names) - set(tasks)):
                self.problems.append(f"{where}.tasks.{name} dependency '{missing}' not defined")
        placed: set[str] = set()
        while len(placed) < len(tasks):
            ready = {n for n in tasks if n not in placed and set(deps[n]) <= placed}
            if not ready:
                self.problems.append(
                    f"{where}: dependency cycle among {sorted(set(tasks) - placed)}"
                )
                break
            placed |= ready
        for name, task in tasks.items():
            scope = {
                v for a in _ancestors(deps, name) for v in self._published(f"tasks.{a}", tasks[a])
            }
            loop = any(k in task for k in ("withItems", "withParam", "withSequence"))
            fields = {k: v for k, v in task.items() if k not in ("name", "depends", "dependencies")}
            self._variables(
                f"{where}.tasks.{name}",
                _strings(fields),
                inputs,
                leaf=False,
                scope=scope,
                loop=loop,
            )
        every = {v for n, t in tasks.items() for v in self._published(f"tasks.{n}", t)}
        self._variables(
            f"{where}.outputs",
            _strings(template.get("outputs") or {}),
            inputs,
            leaf=False,
            scope=every,
        )

    def _steps(self, where: str, template: dict[str, Any], inputs: set[str]) -> None:
        scope: set[str] = set()
        all_steps = [s for group in template["steps"] or [] for s in group or []]
        self.problems += _field_name_problems(
            f"{where}.steps", [str(s.get("name")) for s in all_steps]
        )
        for index, group in enumerate(template["steps"] or []):
            for step in group or []:
                step_where = f"{where}.steps[{index}].{step.get('name')}"
                self._call(step_where, step)
                loop = any(k in step for k in ("withItems", "withParam", "withSequence"))
                fields = {k: v for k, v in step.items() if k != "name"}
                self._variables(
                    step_where, _strings(fields), inputs, leaf=False, scope=scope, loop=loop
                )
            scope |= {
                v
                for step in group or []
                for v in self._published(f"steps.{step.get('name')}", step)
            }
        self._variables(
            f"{where}.outputs",
            _strings(template.get("outputs") or {}),
            inputs,
            leaf=False,
            scope=scope,
        )


def check_references(document: dict[str, Any]) -> list[str]:
    """Every reference problem Argo's validator would reject `document` for (empty when clean)."""
    problems = _metadata_problems(document)
    spec = document.get("spec") or {}
    if document.get("kind") == "CronWorkflow":
        spec = spec.get("workflowSpec") or {}
    if document.get("kind") == "Sensor":
        return problems
    return problems + _Checker(spec).check()
