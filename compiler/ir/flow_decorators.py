"""Typed settings from a flow's class decorators: @schedule, @trigger, @trigger_on_finish and
@project, read the way Metaflow reads them (docs/decorators.md). Re-exported by
`flowc.compiler.ir.decorators`; a checked flow is assumed (SettingsError otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass

from flowc.compiler.ir.known_decorators import (
    Pairs,
    SettingsError,
    StringPairs,
    frozen,
    optional_str,
    static_arguments,
)
from flowc.compiler.ir.nodes import Flow, JsonValue

# Metaflow's @schedule shortcuts, as five-field cron expressions (minute hour day month weekday)
HOURLY, DAILY, WEEKLY = "0 * * * *", "0 0 * * *", "0 0 * * 0"


@dataclass(frozen=True, slots=True, kw_only=True)
class Schedule:
    cron: str
    timezone: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """An event that starts a run; `parameters` maps a flow parameter to the event's field."""

    name: str
    parameters: StringPairs = ()  # sorted by parameter


@dataclass(frozen=True, slots=True, kw_only=True)
class Trigger:
    events: tuple[Event, ...]
    options: Pairs = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class FinishedFlow:
    """A flow whose successful end starts this one (optionally of a given project/branch)."""

    name: str
    project: str | None = None
    branch: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TriggerOnFinish:
    flows: tuple[str, ...]  # each flow's name, in source order
    references: tuple[FinishedFlow, ...] = ()  # the same flows, in full
    options: Pairs = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Project:
    name: str
    branch: str | None = None
    production: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowSettings:
    schedule: Schedule | None = None
    trigger: Trigger | None = None
    trigger_on_finish: TriggerOnFinish | None = None
    project: Project | None = None


def _schedule(values: dict[str, JsonValue]) -> Schedule | None:
    """Metaflow's order: cron, then weekly, hourly, daily (daily is on unless daily=False)."""
    timezone = optional_str(values.get("timezone"))
    cron = values.get("cron")
    if isinstance(cron, str):
        return Schedule(cron=cron, timezone=timezone)
    for shortcut, expression, default in (("weekly", WEEKLY, False), ("hourly", HOURLY, False),
                                          ("daily", DAILY, True)):
        if values.get(shortcut, default) is True:
            return Schedule(cron=expression, timezone=timezone)
    return None


def _event_parameters(parameters: JsonValue) -> StringPairs:
    if isinstance(parameters, dict):
        return tuple((k, str(parameters[k])) for k in sorted(parameters))
    pairs: dict[str, str] = {}
    for item in parameters if isinstance(parameters, tuple) else ():
        if isinstance(item, str):
            pairs[item] = item
        elif isinstance(item, tuple):
            pairs[str(item[0])] = str(item[1])
    return tuple(sorted(pairs.items()))


def _event(event: JsonValue) -> Event:
    if isinstance(event, dict):
        return Event(name=str(event["name"]),
                     parameters=_event_parameters(event.get("parameters", ())))
    return Event(name=str(event))


def _listed(values: dict[str, JsonValue], one: str, many: str, what: str) -> tuple[JsonValue, ...]:
    """`event=`/`events=` (or `flow=`/`flows=`): exactly one of them, as a list."""
    single, several = values.get(one), values.get(many)
    if (single is None) == (several is None or several == ()):
        raise SettingsError(f"@{what} needs exactly one of {one}= and {many}= (run `flowc check`)")
    return (single,) if single is not None else tuple(several or ())  # type: ignore[arg-type]


def _trigger(values: dict[str, JsonValue]) -> Trigger:
    events = tuple(_event(e) for e in _listed(values, "event", "events", "trigger"))
    return Trigger(events=events, options=_options(values))


def _finished(flow: JsonValue) -> FinishedFlow:
    if isinstance(flow, dict):
        return FinishedFlow(name=str(flow["name"]), project=optional_str(flow.get("project")),
                            branch=optional_str(flow.get("project_branch")))
    return FinishedFlow(name=str(flow))


def _trigger_on_finish(values: dict[str, JsonValue]) -> TriggerOnFinish:
    references = tuple(_finished(f) for f in _listed(values, "flow", "flows",
                                                     "trigger_on_finish"))
    return TriggerOnFinish(flows=tuple(r.name for r in references), references=references,
                           options=_options(values))


def _options(values: dict[str, JsonValue]) -> Pairs:
    options = values.get("options")
    return frozen(options) if isinstance(options, dict) else ()  # type: ignore[return-value]


def _project(values: dict[str, JsonValue]) -> Project:
    name = values.get("name")
    if not isinstance(name, str):
        raise SettingsError("@project needs name= (run `flowc check`)")
    return Project(name=name, branch=optional_str(values.get("branch")),
                   production=values.get("production") is True)


def flow_settings(flow: Flow) -> FlowSettings:
    """The typed settings of a checked flow's class decorators."""
    found = {deco.name: static_arguments(deco) for deco in flow.decorators
             if deco.known and deco.name in ("schedule", "trigger", "trigger_on_finish",
                                             "project")}
    return FlowSettings(
        schedule=None if (schedule := found.get("schedule")) is None else _schedule(schedule),
        trigger=None if (trigger := found.get("trigger")) is None else _trigger(trigger),
        trigger_on_finish=None if (finish := found.get("trigger_on_finish")) is None
        else _trigger_on_finish(finish),
        project=None if (project := found.get("project")) is None else _project(project),
    )
