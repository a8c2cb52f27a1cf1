"""The states of a flow, one method per region kind (flowc.targets.lower.regions): a step is a
`Task` state, a static split a `Parallel` state, a foreach a `Map` state over the indices in
the foreach step's outputs, a switch a `Choice` on the switch step's chosen target, and a
switch loop a `Choice` back-edge through a `Pass` state that counts the iteration.

A body is built from its end: each region learns the state that follows it (`self._next`,
None at the end of a body) and returns its entry state and its states in walk order. States
that end a Map item or a Parallel branch output `{}` (`OutputPath: null`), so a fan-out's
result stays a list of empty objects whatever the context holds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flowc.compiler.ir.decorators import step_settings
from flowc.targets.lower import Lowered
from flowc.targets.lower.regions import (
    Body,
    ForeachRegion,
    ParallelRegion,
    SplitRegion,
    StepRegion,
    SwitchCase,
    SwitchRegion,
)
from flowc.targets.sfn import task
from flowc.targets.sfn.intrinsics import Ref, call, format_string
from flowc.targets.sfn.names import SfnNames
from flowc.targets.sfn.settings import SfnSettings
from flowc.targets.visitors import RegionVisitor

State = dict[str, Any]
States = list[tuple[str, State]]
Built = tuple[str, States]  # a region's entry state, and its states in walk order

ITEM_INDEX = Ref("$$.Map.Item.Index", text=False)
SWITCH_TARGET = f"{task.OUTPUTS_PATH}.outputs.switch_target"
FOREACH_INDICES = f"{task.OUTPUTS_PATH}.outputs.foreach_indices"


class MachineBuilder(RegionVisitor[Built]):
    """Builds the states of a flow's body. `map_mode(region, depth_in_child)` says whether a
    foreach's Map is "INLINE" or "DISTRIBUTED"."""

    def __init__(self, lowered: Lowered, settings: SfnSettings, names: SfnNames,
                 map_mode: Callable[[ForeachRegion, bool], str]) -> None:
        self.lowered = lowered
        self.settings = settings
        self.names = names
        self.map_mode = map_mode
        self._next: str | None = None
        self._nested = False  # inside a Map item or a Parallel branch: ends output {}
        self._in_child = False  # inside a distributed Map's child execution

    def body(self, body: Body, next_state: str | None) -> Built:
        """The states of `body`, followed by `next_state` (None: the body ends there)."""
        built: list[States] = []
        outer = self._next
        self._next = next_state
        for region in reversed(body):
            entry, states = self.visit_region(region)
            built.append(states)
            self._next = entry
        entry = self._next
        self._next = outer
        assert entry is not None, "a body holds at least one region"
        return entry, [pair for states in reversed(built) for pair in states]

    def _nested_body(self, body: Body, *, child: bool = False) -> dict[str, Any]:
        """`{"StartAt", "States"}` of a Parallel branch or a Map item."""
        outer_nested, outer_child = self._nested, self._in_child
        self._nested, self._in_child = True, outer_child or child
        entry, states = self.body(body, None)
        self._nested, self._in_child = outer_nested, outer_child
        return {"StartAt": entry, "States": dict(states)}

    def _goto(self, state: State, next_state: str | None) -> State:
        if next_state is None:
            state["End"] = True
            if self._nested:
                # The output is {} whatever the result: dropping it again is redundant.
                if state.get("ResultPath", "") is None:
                    del state["ResultPath"]
                state["OutputPath"] = None
        else:
            state["Next"] = next_state
        return state

    def _task(self, step: str) -> State:
        lowered_step = self.lowered.steps[step]
        parameters = tuple(p.name for p in self.lowered.flow.parameters) \
            if step == self.lowered.graph.start else ()
        return task.task_state(lowered_step, step_settings(lowered_step.step), self.settings,
                               job_name=self.names.jobs[step], parameters=parameters)

    def _outputs(self, step: str, next_state: str) -> State:
        state = task.outputs_state(self.lowered.flow.name, self.lowered.steps[step],
                                   self.settings)
        state["Next"] = next_state
        return state

    # --- one method per region kind ------------------------------------------------------

    def step_region(self, region: StepRegion) -> Built:
        name = self.names.state(region.step)
        return name, [(name, self._goto(self._task(region.step), self._next))]

    def split_region(self, region: SplitRegion) -> Built:
        name, split = self.names.state(region.step), self.names.state(f"{region.step}.split")
        branches = [self._nested_body(branch) for branch in region.branches]
        parallel: State = {"Type": "Parallel", "Branches": branches, "ResultPath": None}
        return name, [(name, self._goto(self._task(region.step), split)),
                      (split, self._goto(parallel, self._next))]

    def foreach_region(self, region: ForeachRegion) -> Built:
        step = region.step
        name = self.names.state(step)
        outputs, map_name = self.names.state(f"{step}.outputs"), self.names.state(f"{step}.map")
        mode = self.map_mode(region, self._in_child)
        reader = self.settings.map_items == "s3"
        item = self._nested_body(region.body, child=mode == "DISTRIBUTED")
        config: dict[str, str] = {"Mode": mode}
        if mode == "DISTRIBUTED":
            config["ExecutionType"] = "STANDARD"
        state: State = {"Type": "Map"}
        if reader:
            state["ItemReader"] = task.items_reader(self.lowered.flow.name,
                                                    self.lowered.steps[step], self.settings)
        else:
            state["ItemsPath"] = FOREACH_INDICES
        state["ItemSelector"] = item_selector()
        state["ItemProcessor"] = {"ProcessorConfig": config, **item}
        if self.settings.max_concurrency:
            state["MaxConcurrency"] = self.settings.max_concurrency
        if reader:
            # Any number of items: their (empty) results go to S3, not into the state.
            state["ResultWriter"] = task.results_writer(self.lowered.flow.name, self.settings)
        # The result is a list of {} (or where it was written); the indices read before
        # are dropped with it.
        state["ResultSelector"] = {"foreach": "joined"}
        state["ResultPath"] = task.OUTPUTS_PATH
        if reader:
            return name, [(name, self._goto(self._task(step), map_name)),
                          (map_name, self._goto(state, self._next))]
        return name, [(name, self._goto(self._task(step), outputs)),
                      (outputs, self._outputs(step, map_name)),
                      (map_name, self._goto(state, self._next))]

    def parallel_region(self, region: ParallelRegion) -> Built:
        raise AssertionError("num_parallel is FLC201 for sfn; a checked flow never gets here")

    def switch_region(self, region: SwitchRegion) -> Built:
        step = region.step
        name = self.names.state(step)
        outputs, choice = self.names.state(f"{step}.outputs"), self.names.state(f"{step}.choice")
        states: States = []
        if region.is_loop:
            first = self.names.state(f"{step}.loop")
            states.append((first, loop_start(name)))
        else:
            first = name
        states.append((name, self._goto(self._task(step), outputs)))
        states.append((outputs, self._outputs(step, choice)))
        rules, case_states = self._cases(region)
        states.append((choice, {"Type": "Choice", "Choices": rules}))
        if region.is_loop:
            states.append((self.names.state(f"{step}.again"), loop_again(name)))
        return first, states + case_states

    def _cases(self, region: SwitchRegion) -> tuple[list[State], States]:
        """One rule per case target (on the chosen step's name, an identifier: a user's case
        key never reaches the definition); no match fails the execution."""
        rules: list[State] = []
        states: States = []
        for case in region.cases:
            entry, body_states = self._case(region, case)
            rules.append({"Variable": SWITCH_TARGET, "StringEquals": case.target, "Next": entry})
            states += body_states
        return rules, states

    def _case(self, region: SwitchRegion, case: SwitchCase) -> Built:
        if case.loops:
            return self.names.state(f"{region.step}.again"), []
        if not case.body and self._next is None:
            # The case goes straight to the end of the enclosing body (a foreach item or a
            # branch that ends with the switch): a Choice needs a state to go to.
            end = self.names.state(f"{region.step}.end")
            return end, [(end, self._goto({"Type": "Pass"}, None))]
        if not case.body:
            assert self._next is not None
            return self._next, []
        return self.body(case.body, self._next)


def item_selector() -> dict[str, str]:
    """A Map item's context: the run, and its index path and task path one level deeper."""
    return {"flowc.$": "$.flowc",
            "index_path.$": format_string([task.INDEX_PATH, ",", ITEM_INDEX]),
            "task_path.$": format_string([task.TASK_PATH, ".", ITEM_INDEX])}


def loop_start(step_state: str) -> State:
    """Iteration 0 of a switch loop: its task id is the step's plain one."""
    return {"Type": "Pass",
            "Parameters": {"iteration": 0,
                           "task_id.$": format_string(["t", task.TASK_PATH])},
            "ResultPath": "$.loop", "Next": step_state}


def loop_again(step_state: str) -> State:
    """The back-edge: the next iteration, and its task id `t<path>@<iteration>`."""
    following = call("MathAdd", task.ITERATION.expression, "1")
    return {"Type": "Pass",
            "Parameters": {"iteration.$": following,
                           "task_id.$": format_string(
                               ["t", task.TASK_PATH, "@", Ref(following, text=False)])},
            "ResultPath": "$.loop", "Next": step_state}
