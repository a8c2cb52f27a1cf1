"""The DAG templates of a flow, one method per region kind: a step is a task, a split's
branches are tasks of the same DAG, a foreach body is a DAG template fanned out over the
foreach's cardinality (`withSequence`), a switch case runs under `when`, and a switch loop is
a DAG template that calls itself while the step chooses to loop.

Tasks depend on what came before with Argo's enhanced `depends`: a bare task name is
"succeeded or skipped", so a merge step after a switch runs whichever case ran.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flowc.targets.lower.regions import (
    Body,
    ForeachRegion,
    ParallelRegion,
    SplitRegion,
    StepRegion,
    SwitchCase,
    SwitchRegion,
)
from flowc.targets.visitors import RegionVisitor

# The outputs a step's container template declares (files of the shim's --outputs-dir).
CARDINALITY = "foreach_cardinality"
CHOICE = "switch_target"


def chose(switch_task: str, target_step: str) -> str:
    """The `when` of a switch case: the switch task's chosen next step (a step name, an
    identifier: never a user string) is the case's target."""
    return f"'{{{{tasks.{switch_task}.outputs.parameters.{CHOICE}}}}}' == '{target_step}'"


@dataclass(slots=True)
class Scope:
    """A DAG template being built: its tasks, and the index path and iteration (as Argo
    expressions) of the tasks it runs."""

    name: str
    index_path: str
    iteration: str
    inputs: tuple[str, ...]
    tasks: list[dict[str, Any]] = field(default_factory=list)


class DagBuilder(RegionVisitor[str]):
    """Builds every DAG template of a flow. Each `*_region` method adds the region's tasks to
    the current scope and returns the `depends` expression for what follows it."""

    def __init__(self, names: Callable[[str], str], child_index: Callable[[str, str], str],
                 step_arguments: Callable[[str, Scope], list[dict[str, str]]]) -> None:
        self.names = names  # step or template key -> its Argo name
        self.child_index = child_index  # (parent index path expr, item expr) -> child's
        self.step_arguments = step_arguments
        self.templates: list[dict[str, Any]] = []
        self._scope = Scope(name="", index_path="", iteration="0", inputs=())
        self._depends: str | None = None

    def build(self, name: str, body: Body, *, index_path: str = "", iteration: str = "0",
              inputs: tuple[str, ...] = ()) -> None:
        """Add the DAG template `name` that runs `body`."""
        outer, outer_depends = self._scope, self._depends
        self._scope = Scope(name=name, index_path=index_path, iteration=iteration,
                            inputs=inputs)
        self._depends = None
        self._run(body)
        template: dict[str, Any] = {"name": name}
        if inputs:
            template["inputs"] = {"parameters": [{"name": item} for item in inputs]}
        template["dag"] = {"tasks": self._scope.tasks}
        self.templates.append(template)
        self._scope, self._depends = outer, outer_depends

    def _run(self, body: Body) -> str | None:
        for region in body:
            self._depends = self.visit_region(region)
        return self._depends

    def _task(self, name: str, template: str, *, arguments: list[dict[str, str]] | None = None,
              **extra: Any) -> str:
        task: dict[str, Any] = {"name": name, "template": template}
        if self._depends:
            task["depends"] = self._depends
        task.update(extra)
        if arguments:
            task["arguments"] = {"parameters": arguments}
        self._scope.tasks.append(task)
        return name

    def _step_task(self, step: str, **extra: Any) -> str:
        return self._task(self.names(step), self.names(step),
                          arguments=self.step_arguments(step, self._scope), **extra)

    # --- one method per region kind ------------------------------------------------------

    def step_region(self, region: StepRegion) -> str:
        return self._step_task(region.step)

    def split_region(self, region: SplitRegion) -> str:
        split = self._step_task(region.step)
        tails = []
        for branch in region.branches:
            self._depends = split
            tails.append(self._run(branch) or split)
        return " && ".join(dict.fromkeys(tails))

    def foreach_region(self, region: ForeachRegion) -> str:
        step = self._step_task(region.step)
        body = self.names(f"{region.step}/body")
        self.build(body, region.body, index_path="{{inputs.parameters.index-path}}",
                   inputs=("index-path",))
        self._depends = step
        count = f"{{{{tasks.{step}.outputs.parameters.{CARDINALITY}}}}}"
        item = self.child_index(self._scope.index_path, "{{item}}")
        return self._task(body, body, arguments=[{"name": "index-path", "value": item}],
                          withSequence={"count": count})

    def parallel_region(self, region: ParallelRegion) -> str:
        raise AssertionError("num_parallel is FLC201 for argo; a checked flow never gets here")

    def switch_region(self, region: SwitchRegion) -> str:
        if region.is_loop:
            return self._loop(region)
        switch = self._step_task(region.step)
        return self._cases(region, switch)

    def _cases(self, region: SwitchRegion, switch: str) -> str:
        """Each case under `when`; the expression the merge step depends on."""
        tails = []
        for case in region.cases:
            if case.loops:
                continue
            if not case.body:
                tails.append(switch)
                continue
            self._depends = switch
            tails.append(self._case(region, case, switch))
        return " && ".join(dict.fromkeys(tails))

    def _case(self, region: SwitchRegion, case: SwitchCase, switch: str) -> str:
        when = chose(switch, case.target)
        if len(case.body) == 1 and isinstance(case.body[0], StepRegion):
            return self._step_task(case.body[0].step, when=when)
        name = self.names(f"{region.step}/case/{case.target}")
        inputs = ("index-path",) if self._scope.index_path else ()
        self.build(name, case.body, index_path="{{inputs.parameters.index-path}}"
                   if inputs else "", inputs=inputs)
        self._depends = switch
        arguments = [{"name": "index-path", "value": self._scope.index_path}] if inputs else []
        return self._task(name, name, arguments=arguments, when=when)

    def _loop(self, region: SwitchRegion) -> str:
        """A template that runs the step, then calls itself with the next iteration while the
        step chooses a looping case; the exit cases run at the last iteration."""
        loop = self.names(f"{region.step}/loop")
        inputs = (("index-path",) if self._scope.index_path else ()) + ("iteration",)
        outer_index = self._scope.index_path
        outer, outer_depends = self._scope, self._depends
        self._scope = Scope(name=loop, index_path="{{inputs.parameters.index-path}}"
                            if outer_index else "", iteration="{{inputs.parameters.iteration}}",
                            inputs=inputs)
        self._depends = None
        switch = self._step_task(region.step)
        again = " || ".join(chose(switch, case.target) for case in region.cases if case.loops)
        self._depends = switch
        arguments = [{"name": "iteration",
                      "value": "{{=asInt(inputs.parameters.iteration) + 1}}"}]
        if outer_index:
            arguments.insert(0, {"name": "index-path", "value": "{{inputs.parameters.index-path}}"})
        self._task(self.names(f"{region.step}/again"), loop, arguments=arguments, when=again)
        self._cases(region, switch)
        template = {"name": loop,
                    "inputs": {"parameters": [{"name": item} for item in inputs]},
                    "dag": {"tasks": self._scope.tasks}}
        self.templates.append(template)
        self._scope, self._depends = outer, outer_depends
        first = [{"name": "iteration", "value": "0"}]
        if outer_index:
            first.insert(0, {"name": "index-path", "value": outer_index})
        return self._task(loop, loop, arguments=first)
