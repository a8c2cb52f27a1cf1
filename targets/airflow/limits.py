"""What the Airflow target refuses beyond the capability flags: a nested foreach it cannot
flatten (Airflow cannot nest mapped task groups), a scheduled flow with a parameter that has no
default (Airflow refuses to schedule a DAG with a required param), and Kubernetes labels or
node selectors that Kubernetes refuses (the same rule as Argo's, FLC301)."""

from __future__ import annotations

from collections.abc import Iterator

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.ir.decorators import flow_settings
from flowc.compiler.pipeline import CheckedFlow
from flowc.runtime_shim.contracts.parameters import raw_default
from flowc.targets.argo.limits import label_problems
from flowc.targets.lower.regions import (
    Body,
    ForeachRegion,
    ParallelRegion,
    SplitRegion,
    StepRegion,
    SwitchRegion,
    flow_body,
)


def airflow_problems(checked: CheckedFlow) -> list[Diagnostic]:
    problems = list(_misplaced_foreach(checked, flow_body(checked.flow, checked.graph),
                                       mapped=False, branched=False))
    problems += _required_scheduled(checked)
    problems += _triggers(checked)
    problems += label_problems(checked.flow)
    return problems


def _misplaced_foreach(checked: CheckedFlow, body: Body, *, mapped: bool,
                       branched: bool) -> Iterator[Diagnostic]:
    """FLC201 for a foreach inside a foreach body that sits in a split branch or a switch
    case of that body: flattening cuts the body into one mapped group per level, which only
    works between the body's own steps."""
    for region in body:
        match region:
            case ForeachRegion() | ParallelRegion():
                if mapped and branched:
                    transition = checked.graph.steps[region.step].transition
                    assert transition is not None
                    yield rule("FLC201").at(
                        transition.span,
                        f"the airflow target cannot express step '{region.step}': a foreach "
                        "inside a split branch or switch case of another foreach's body "
                        "(Airflow cannot nest mapped task groups, and flowc flattens only a "
                        "nested foreach that sits directly in the outer body)",
                        help="move the inner foreach out of the branch, or flatten the two "
                             "levels into one foreach over the pairs of items")
                yield from _misplaced_foreach(checked, region.body, mapped=True,
                                              branched=False)
            case SplitRegion():
                for branch in region.branches:
                    yield from _misplaced_foreach(checked, branch, mapped=mapped,
                                                  branched=True)
            case SwitchRegion():
                for case in region.cases:
                    yield from _misplaced_foreach(checked, case.body, mapped=mapped,
                                                  branched=True)
            case StepRegion():
                pass


def _required_scheduled(checked: CheckedFlow) -> Iterator[Diagnostic]:
    flow = checked.flow
    if flow_settings(flow).schedule is None:
        return
    for parameter in flow.parameters:
        if raw_default(parameter) is None:
            yield rule("FLC201").at(
                parameter.span,
                f"the airflow target cannot schedule flow '{flow.name}': parameter "
                f"'{parameter.name}' has no default, and Airflow schedules no DAG with a "
                "required param",
                help="give the parameter a literal default")


def _triggers(checked: CheckedFlow) -> Iterator[Diagnostic]:
    """A DAG has one schedule: a cron or assets (`@trigger`, `@trigger_on_finish`), so both is
    FLC201; an event's parameter mapping has no Airflow form (FLC202: the run gets the
    parameters' defaults)."""
    flow = checked.flow
    settings = flow_settings(flow)
    triggered = [deco for deco in (flow.decorator("trigger"), flow.decorator("trigger_on_finish"))
                 if deco is not None]
    schedule = flow.decorator("schedule")
    if schedule is not None and triggered:
        yield rule("FLC201").at(
            triggered[0].span,
            f"the airflow target cannot both schedule flow '{flow.name}' and trigger it: a DAG "
            "has one schedule, a cron or assets",
            help="keep @schedule or the trigger, and start the other way from outside")
    if settings.trigger is not None:
        decorator = flow.decorator("trigger")
        assert decorator is not None
        for event in settings.trigger.events:
            if event.parameters:
                yield rule("FLC202").at(
                    decorator.span,
                    f"the airflow target ignores the parameters of event '{event.name}': the "
                    "run starts from the asset event with the parameters' defaults",
                    help="read the event's payload inside the start step instead")
