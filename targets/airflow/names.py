"""Airflow names for everything a flow becomes: the DAG id and task ids (`[\\w.-]`, at most 250
characters; a task in a group is `group.task`, so a task id keeps to 149 and a group id to
100), group ids (no dots) and the Python variables of the generated module. Changed names
carry a stable hash suffix (flowc.targets.names); every set is checked for collisions."""

from __future__ import annotations

import keyword
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flowc.compiler.ir.decorators import flow_settings
from flowc.targets.lower import Lowered
from flowc.targets.names import NameRules, assign

DAG_ID = NameRules(limit=250, allowed="A-Za-z0-9_.-", replacement="_", lowercase=False,
                   edges="A-Za-z0-9_")
TASK_ID = NameRules(limit=149, allowed="A-Za-z0-9_", replacement="_", lowercase=False,
                    edges="A-Za-z0-9_")
GROUP_ID = NameRules(limit=100, allowed="A-Za-z0-9_", replacement="_", lowercase=False,
                     edges="A-Za-z0-9_")
# What the generated module defines or imports itself: no task variable may shadow it.
MODULE_NAMES = frozenset({
    "DAG", "Param", "task", "task_group", "literal", "pendulum", "k8s", "Secret", "Any",
    "KubernetesPodOperator", "EmptyOperator", "AirflowFailException", "annotations", "dag",
    "json", "subprocess", "foreach_items", "chosen", "AirflowSkipException", "run_step",
    "index_path", "IMAGE",
    "DATASTORE", "CODE_PACKAGE", "XCOM", "MAX_MAP_LENGTH", "RUN_ID", "TRY", "ORIGIN_RUN",
    "REUSE_STEPS", "PYTHON",
})
# DAG params for resume (docs/task-contract.md, "Resume"): a dot keeps them apart from every
# flow parameter name ([A-Za-z0-9_-]).
ORIGIN_RUN_PARAM = "flowc.origin_run"
REUSE_STEPS_PARAM = "flowc.reuse_steps"


def variables(keys: Iterable[str], ids: Mapping[str, str]) -> dict[str, str]:
    """A distinct Python identifier for each key, from its id, shadowing nothing the module
    defines and no keyword."""
    taken = set(MODULE_NAMES) | set(keyword.kwlist) | set(keyword.softkwlist)
    result = {}
    for key in keys:
        base = ids[key] if ids[key].isidentifier() and not ids[key][0].isdigit() \
            else f"t_{ids[key]}"
        name, counter = base, 1
        while name in taken:
            counter += 1
            name = f"{base}_{counter}"
        taken.add(name)
        result[key] = name
    return result


@dataclass(frozen=True, slots=True, kw_only=True)
class AirflowNames:
    dag_id: str
    ids: Mapping[str, str]  # a step, or a flowc-made key ("train/items") -> task or group id
    variables: Mapping[str, str]  # the same keys -> the Python variable holding it

    @classmethod
    def of(cls, lowered: Lowered, extra_tasks: Iterable[str],
           groups: Iterable[str]) -> AirflowNames:
        """`extra_tasks`: keys of the tasks flowc adds ("step/items", "step/choice",
        "step/case/target"); `groups`: keys of the mapped task groups ("step/each", ...)."""
        flow = lowered.flow
        project = flow_settings(flow).project
        base = f"{project.name}.{flow.name}" if project is not None else flow.name
        task_keys = [*lowered.steps, *extra_tasks]
        group_keys = list(groups)
        ids = assign(TASK_ID, task_keys)
        ids.update(assign(GROUP_ID, group_keys, taken=ids.values()))
        results = [f"{key}/tasks" for key in group_keys]
        ids.update({result: f"{ids[result[:-len('/tasks')]]}_tasks" for result in results})
        return cls(dag_id=DAG_ID.fit(base), ids=ids,
                   variables=variables([*task_keys, *group_keys, *results], ids))
