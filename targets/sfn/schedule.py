"""`@schedule` as an EventBridge Scheduler schedule (`sfn.schedule.json`, the body of
`CreateSchedule`): the cron in EventBridge's six-field form, the timezone, the state machine
as the target and the execution input `{"parameters": {...}}` with the flow's defaults.

EventBridge's cron differs from the five-field Unix form `@schedule(cron=...)` takes: it adds
a year, numbers weekdays 1-7 from Sunday (Unix: 0-7, 0 and 7 Sunday), and one of
day-of-month and day-of-week must be `?`. A six-field expression is taken as EventBridge's
own (Metaflow passes it through on Step Functions); one that cannot be converted is FLC201.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.ir import Flow
from flowc.compiler.ir.decorators import flow_settings
from flowc.runtime_shim.contracts.parameters import raw_default
from flowc.targets.settings import SettingsError
from flowc.targets.sfn.settings import SfnSettings

_WEEKDAY = re.compile(r"[0-7]")


class CronError(ValueError):
    """A cron expression EventBridge cannot take as written."""


def _weekday(part: str) -> str:
    """One item of a Unix day-of-week list, in EventBridge's numbering."""
    base, slash, step = part.partition("/")
    if base == "*":
        return part
    low, dash, high = base.partition("-")
    for end in (low, high) if dash else (low,):
        if not _WEEKDAY.fullmatch(end) and not re.fullmatch(r"[A-Za-z]{3}", end):
            raise CronError(f"day of week {part!r} is not a day 0-7 or a name like MON")
    def shift(day: str) -> str:
        return str(int(day) % 7 + 1) if day.isdigit() else day.upper()
    if dash and low.isdigit() and high.isdigit() and int(high) == 7 and int(low) > 0:
        # 5-7 (Friday to Sunday) wraps past Saturday: EventBridge has no wrapping range.
        raise CronError(f"day of week range {base!r} ends on Sunday as 7: write it as a list")
    converted = f"{shift(low)}-{shift(high)}" if dash else shift(low)
    return converted + (slash + step if slash else "")


def eventbridge_cron(cron: str) -> str:
    """`cron(...)` for EventBridge from a five-field Unix or a six-field EventBridge cron."""
    fields = cron.split()
    if len(fields) == 6:
        return f"cron({' '.join(fields)})"
    if len(fields) != 5:
        raise CronError(f"{cron!r} has {len(fields)} fields; expected five (minute hour "
                        "day month weekday) or EventBridge's six")
    minute, hour, day, month, weekday = fields
    if weekday in ("*", "?"):
        weekday = "?"
        day = "*" if day == "?" else day
    elif day in ("*", "?"):
        day = "?"
        weekday = ",".join(_weekday(part) for part in weekday.split(","))
    else:
        raise CronError(f"{cron!r} restricts both the day of month and the day of week, "
                        "which EventBridge cannot express (one of them must be '?')")
    return f"cron({minute} {hour} {day} {month} {weekday} *)"


def schedule_problems(flow: Flow) -> list[Diagnostic]:
    """FLC201 at `@schedule` when its cron cannot be written for EventBridge."""
    schedule = flow_settings(flow).schedule
    decorator = flow.decorator("schedule")
    if schedule is None or decorator is None:
        return []
    try:
        eventbridge_cron(schedule.cron)
    except CronError as exc:
        return [rule("FLC201").at(decorator.span, f"the sfn target cannot schedule this: {exc}",
                                  help="write the cron so that EventBridge Scheduler can take "
                                       "it (see docs/targets/sfn.md, \"Schedules\")")]
    return []


def schedule_document(flow: Flow, settings: SfnSettings, *, name: str,
                      state_machine: str) -> dict[str, Any] | None:
    """The `CreateSchedule` request for the flow's `@schedule`, or None without one."""
    schedule = flow_settings(flow).schedule
    if schedule is None:
        return None
    missing = [key for key in ("region", "account", "scheduler_role")
               if not getattr(settings, key)]
    if missing:
        raise SettingsError(f"the sfn target needs the setting(s) {', '.join(missing)} for "
                            f"@schedule on flow '{flow.name}' (the schedule's target is the "
                            "state machine's ARN, started as the scheduler role)")
    defaults = {p.name: value for p in flow.parameters
                if (value := raw_default(p)) is not None}
    arn = f"arn:aws:states:{settings.region}:{settings.account}:stateMachine:{state_machine}"
    return {
        "Name": name,
        "ScheduleExpression": eventbridge_cron(schedule.cron),
        "ScheduleExpressionTimezone": schedule.timezone or "UTC",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "Target": {"Arn": arn, "RoleArn": settings.scheduler_role,
                   "Input": json.dumps({"parameters": defaults}, ensure_ascii=False,
                                       sort_keys=True)},
        "State": "ENABLED",
    }
