"""The module around the DAG body: imports (only what the body uses), the settings as
constants, and the DAG's arguments: typed `params` (a parameter without a default is required
when the run is triggered), `@schedule` as `schedule=` with a timezone-aware `start_date`,
`catchup=False` and `max_active_tasks`."""

from __future__ import annotations

import ast
from typing import Any

from flowc.compiler.ir import Flow, Parameter, literal_to_python
from flowc.compiler.ir.decorators import flow_settings
from flowc.runtime_shim.contracts.parameters import raw_default
from flowc.targets.airflow.literals import py, string, templated
from flowc.targets.airflow.names import ORIGIN_RUN_PARAM, REUSE_STEPS_PARAM, AirflowNames
from flowc.targets.airflow.settings import AirflowSettings
from flowc.targets.airflow.tasks import XCOM_FILE
from flowc.targets.airflow.templates import (
    FOREACH_FUNCTION,
    LOCAL_FUNCTION,
    SWITCH_FUNCTION,
    render_module,
    render_statements,
)
from flowc.targets.argo.documents import FINISHED_EVENT
from flowc.targets.lower import Lowered

JSON_SCHEMA_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}


def param(parameter: Parameter) -> str:
    """`Param(default, type=..., description=...)`: the default as the typed value Airflow's
    form shows (a list parameter is its joined string, as given to `flowc run`)."""
    arguments = []
    default = _default(parameter)
    if default is not _MISSING:
        arguments.append(py(default))
    kind = "str" if parameter.separator else parameter.type
    if kind in JSON_SCHEMA_TYPES:
        arguments.append(f"type={string(JSON_SCHEMA_TYPES[kind])}")
    if parameter.help:
        arguments.append(f"description={string(parameter.help)}")
    return f"Param({', '.join(arguments)})"


_MISSING = object()


def _default(parameter: Parameter) -> Any:
    raw = raw_default(parameter)
    if raw is None:
        return _MISSING
    if parameter.separator or parameter.type == "str":
        return raw
    assert parameter.default is not None
    value = literal_to_python(parameter.default.value)
    if not isinstance(value, str):
        return value
    from flowc.runtime_shim.params import decode_value

    try:
        return decode_value(parameter.type, raw, name=parameter.name)
    except Exception:  # the shim refuses it too, at run time; Airflow shows it as written
        return raw


def _dag_arguments(lowered: Lowered, settings: AirflowSettings,
                   names: AirflowNames) -> list[tuple[str, str]]:
    flow = lowered.flow
    decorators = flow_settings(flow)
    arguments = [("dag_id", string(names.dag_id))]
    doc = (flow.doc or "").strip()
    if doc:
        arguments.append(("description", string(doc.splitlines()[0])))
        # a doc ending in .md would be read as a file name
        if "\n" in doc:
            arguments.append(("doc_md", string(doc + "\n" if doc.endswith(".md") else doc)))
    schedule = decorators.schedule
    assets = trigger_assets(flow)
    if assets:
        written = [f"Asset({string(asset)})" for asset in assets]
        arguments.append(("schedule", written[0] if len(written) == 1
                          else f"AssetAny({', '.join(written)})"))
    else:
        arguments.append(("schedule", string(schedule.cron) if schedule else "None"))
    year, month, day = (int(part) for part in settings.start_date.split("-"))
    zone = schedule.timezone if schedule and schedule.timezone else "UTC"
    arguments.append(("start_date", f"pendulum.datetime({year}, {month}, {day}, "
                                    f"tz={string(zone)})"))
    arguments.append(("catchup", "False"))
    if settings.max_active_tasks:
        arguments.append(("max_active_tasks", str(settings.max_active_tasks)))
    arguments.append(("default_args", '{"retries": 0}'))
    if any(p.type == "json" and not p.separator for p in flow.parameters):
        # Jinja's own tojson sorts the keys of an object: json.dumps keeps them as given
        arguments.append(("user_defined_filters", '{"json": json.dumps}'))
    params = [f"{string(p.name)}: {param(p)}" for p in flow.parameters]
    params.append(f"{string(ORIGIN_RUN_PARAM)}: Param(\"\", type=\"string\", "
                  "description=\"flowc resume: the run whose finished tasks are reused\")")
    params.append(f"{string(REUSE_STEPS_PARAM)}: Param(\"\", type=\"string\", "
                  "description=\"flowc resume: the steps (a,b) whose tasks are reused\")")
    arguments.append(("params", "{\n" + "".join(f"        {item},\n" for item in params)
                      + "    }"))
    tags = ["flowc"] + ([decorators.project.name] if decorators.project else [])
    arguments.append(("tags", py(tags)))
    return arguments


def finished_asset(flow_name: str) -> str:
    """The asset a flow's end task updates, which `@trigger_on_finish(flow=...)` waits for
    (the same name as the Argo event, docs/targets/argo.md)."""
    return FINISHED_EVENT.format(flow=flow_name)


def trigger_assets(flow: Flow) -> list[str]:
    """The assets a `@trigger` / `@trigger_on_finish` flow is scheduled on (any of them)."""
    decorators = flow_settings(flow)
    assets: list[str] = []
    if decorators.trigger is not None:
        assets += [event.name for event in decorators.trigger.events]
    if decorators.trigger_on_finish is not None:
        assets += [finished_asset(name) for name in decorators.trigger_on_finish.flows]
    return list(dict.fromkeys(assets))


def _constants(settings: AirflowSettings, kubernetes: bool) -> list[tuple[str, str]]:
    constants = []
    if kubernetes:
        assert settings.image is not None
        constants.append(("IMAGE", templated(settings.image)))
    constants.append(("PYTHON", templated(settings.python)))
    constants.append(("DATASTORE", templated(settings.datastore)))
    constants.append(("CODE_PACKAGE", string(settings.code_package or "")))
    if kubernetes:
        constants.append(("XCOM", string(XCOM_FILE)))
    constants.append(("MAX_MAP_LENGTH", str(settings.max_map_length)))
    return constants


def _called(source: str) -> set[str]:
    """The names a piece of generated source uses."""
    return {node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}


def render(lowered: Lowered, settings: AirflowSettings, names: AirflowNames,
           statements: list[dict[str, Any]]) -> str:
    kubernetes = settings.operator == "kubernetes"
    for statement in _groups(statements):
        statement["doc"] = f"The body of foreach '{statement['step']}', once per index path."
    body = render_statements(statements)
    dag_arguments = _dag_arguments(lowered, settings, names)
    constants = _constants(settings, kubernetes)
    used = _called("if 1:\n" + body) if body.strip() else set()
    for _, value in (*constants, *dag_arguments):
        used |= _called(value)
    foreach = "foreach_items" in used
    switch = "chosen" in used
    local = not kubernetes
    sdk = ["DAG", "Param"] + (["task"] if local or foreach or switch else [])
    if "task_group" in used or "index_path" in used:
        sdk.append("task_group")
    for name in ("Asset", "AssetAny", "literal"):
        if name in used:
            sdk.append(name)
    stdlib = []
    if local or "json" in used:
        stdlib.append("import json")
    if local:
        stdlib.append("import subprocess")
    if "timedelta" in used:
        stdlib.append("from datetime import timedelta")
    if foreach or local or switch or "Any" in used:
        stdlib.append("from typing import Any")
    stdlib = sorted(stdlib, key=lambda line: (line.startswith("from"), line))
    imports = ["import pendulum"]
    if kubernetes:
        imports.append("from airflow.providers.cncf.kubernetes.operators.pod import "
                       "KubernetesPodOperator")
    if "Secret" in used:
        imports.append("from airflow.providers.cncf.kubernetes.secret import Secret")
    if "EmptyOperator" in used:
        imports.append("from airflow.providers.standard.operators.empty import EmptyOperator")
    imports.append(f"from airflow.sdk import {', '.join(sorted(sdk, key=_sdk_order))}")
    exceptions = (["AirflowFailException"] if foreach or local else []) + \
        (["AirflowSkipException"] if switch else [])
    if exceptions:
        imports.append(f"from airflow.sdk.exceptions import {', '.join(exceptions)}")
    if "k8s" in used:
        imports.append("from kubernetes.client import models as k8s")
    unused = {"MAX_MAP_LENGTH"} if not foreach else set()
    unused |= {"XCOM"} if "XCOM" not in used else set()
    constants = [(name, value) for name, value in constants if name not in unused]
    return render_module(
        flow_name=lowered.flow.name,
        form="in a pod (KubernetesPodOperator)" if kubernetes
        else "as a process on the Airflow worker",
        stdlib=stdlib, imports=imports, constants=constants, dag_arguments=dag_arguments,
        functions="\n\n".join(source for source, used in (
            (LOCAL_FUNCTION, local), (FOREACH_FUNCTION, foreach), (SWITCH_FUNCTION, switch))
            if used), body=body.lstrip("\n"))


def _sdk_order(name: str) -> tuple[int, str]:
    """isort's order by type: constants (DAG), classes, then functions."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def _groups(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in statements if s["kind"] == "group"]
