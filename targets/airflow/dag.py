"""The DAG body, one method per region kind: a step is a task, a split's branches hang off
the split task, a foreach body is a mapped task group expanded over the index paths its
`foreach_items` task computes, and a switch is a `choose` branch task whose cases meet again at
a task with trigger rule `none_failed_min_one_success`.

Airflow cannot nest mapped task groups, so a nested foreach is flattened: the body of every
foreach level is its own mapped group over the index paths of all the tasks of that level
(`foreach_items` of every mapped task of the level above), and what follows an inner join in
the outer body is a further group mapped over the outer level's index paths again. The
statements are plain dicts that `templates.MODULE` renders.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flowc.targets.airflow.names import AirflowNames
from flowc.targets.airflow.tasks import StepTask
from flowc.targets.lower.regions import (
    Body,
    ForeachRegion,
    ParallelRegion,
    SplitRegion,
    StepRegion,
    SwitchRegion,
)
from flowc.targets.visitors import RegionVisitor

Statement = dict[str, Any]


@dataclass(slots=True)
class Level:
    """A foreach level being written: the items it is mapped over (None: not mapped), and the
    group function open for it (None: the next step opens one)."""

    items: str | None
    key: str | None  # the foreach step whose body this is
    group: Statement | None = None
    segments: int = 0


@dataclass(slots=True)
class Flowing:
    """What the next task depends on: variables, and whether any of them may be skipped."""

    tails: list[str] = field(default_factory=list)
    lenient: bool = False


class DagBuilder(RegionVisitor[None]):
    """Writes the statements of the DAG body. `step_statement(step, mapped, pushes, lenient)`
    gives the statement of one step's task; `output(var)` the XComArg of a step variable."""

    def __init__(self, names: AirflowNames,
                 step_statement: Callable[[StepTask, str, str], Statement],
                 output: Callable[[str], str]) -> None:
        self.names = names
        self.step_statement = step_statement
        self.output = output
        self.statements: list[Statement] = []
        self.level = Level(items=None, key=None)
        self.flow = Flowing()
        self.pushes: set[str] = set()  # the steps whose outputs are read

    def build(self, body: Body) -> list[Statement]:
        self._run(body)
        for statement in self.statements:
            statement.setdefault("lhs", f"{statement['var']} = " if "var" in statement else "")
        return self.statements

    # --- plumbing ------------------------------------------------------------------------

    def _run(self, body: Body) -> None:
        for region in body:
            self.visit_region(region)

    def _target(self) -> list[Statement]:
        """Where the next task goes: the open group's body, or the DAG body."""
        if self.level.items is None:
            return self.statements
        if self.level.group is None:
            assert self.level.key is not None
            self.level.segments += 1
            suffix = "" if self.level.segments == 1 else f"/{self.level.segments}"
            key = f"{self.level.key}/each{suffix}"
            self.level.group = {"kind": "group", "function": self.names.variables[key],
                                "group_id": self.names.ids[key], "over": self.level.items,
                                "step": self.level.key,
                                "result": self.names.variables[f"{key}/tasks"],
                                "body": [], "returns": None}
        body: list[Statement] = self.level.group["body"]
        return body

    def _close(self, returns: str | None = None) -> str:
        """Close the open group (its function returns `returns`, a task variable); the
        variable that holds the expanded group (or that task) in the DAG body."""
        group = self.level.group
        assert group is not None
        group["returns"] = returns
        _unassign(group["body"], returns)
        self.statements.append(group)
        self.level.group = None
        return str(group["result"])

    def full_id(self, key: str) -> str:
        """The task id Airflow gives the task `key` where it is written now."""
        task_id = self.names.ids[key]
        group = self.level.group if self.level.items is not None else None
        if self.level.items is not None and group is None:
            self._target()
            group = self.level.group
        return f"{group['group_id']}.{task_id}" if group else task_id

    def _add(self, statement: Statement, *, edges: bool = True,
             target: list[Statement] | None = None) -> str:
        target = self._target() if target is None else target
        var = statement["var"]
        target.append(statement)
        if edges and self.flow.tails:
            target.append({"kind": "edge", "upstream": list(dict.fromkeys(self.flow.tails)),
                           "downstream": var})
        self.flow = Flowing(tails=[var])
        return str(var)

    def _step(self, step: str) -> str:
        task = StepTask(step=step, mapped=self.level.items is not None, parameters={},
                        pushes=step in self.pushes, lenient=self.flow.lenient)
        statement = self.step_statement(task, self.names.variables[step], self.names.ids[step])
        if self.flow.tails == [self.level.items] and self._target() == []:
            return self._add(statement, edges=False)  # the group's expand input orders it
        return self._add(statement)

    # --- one method per region kind ------------------------------------------------------

    def step_region(self, region: StepRegion) -> None:
        self._step(region.step)

    def split_region(self, region: SplitRegion) -> None:
        split = self._step(region.step)
        ends = Flowing()
        for branch in region.branches:
            self.flow = Flowing(tails=[split])
            self._run(branch)
            ends.tails += self.flow.tails
            ends.lenient |= self.flow.lenient
        self.flow = ends

    def foreach_region(self, region: ForeachRegion) -> None:
        step = self._step(region.step)
        # a step of a mapped group: its XCom is that of every mapped task of the step
        source = self._close(returns=step) if self.level.items is not None else step
        key = f"{region.step}/items"
        items = self.names.variables[key]
        self._add({"kind": "items", "var": items, "task_id": self.names.ids[key],
                   "source": self.output(source)}, edges=False, target=self.statements)
        outer = self.level
        self.level = Level(items=items, key=region.step)
        self._run(region.body)
        result = self._close()
        self.level = outer
        # The join waits for the group and for the items: a foreach over no items skips the
        # group, and the join still runs (the items task succeeded); a foreach whose case was
        # not chosen skips both, and the join with them.
        self.flow = Flowing(tails=[result, items], lenient=True)

    def parallel_region(self, region: ParallelRegion) -> None:
        raise AssertionError("num_parallel is FLC201 for airflow; a checked flow never gets here")

    def switch_region(self, region: SwitchRegion) -> None:
        """Each case starts with a `chosen` task that skips the case unless the switch step
        chose it; the skip flows down the case, and the merge step runs after whichever case
        ran. (Not `@task.branch`: its skips are lost inside a mapped task group up to at
        least Airflow 3.3, apache/airflow#67265.)"""
        assert not region.is_loop, "a switch loop is FLC201 for airflow"
        switch = self._step(region.step)
        ends = Flowing(lenient=True)
        for case in region.cases:
            key = f"{region.step}/case/{case.target}"
            self.flow = Flowing()
            self._add({"kind": "gate", "var": self.names.variables[key],
                       "task_id": self.names.ids[key], "source": self.output(switch),
                       "target": case.target})
            self._run(case.body)
            ends.tails += self.flow.tails
        self.flow = ends


def _unassign(body: list[Statement], returns: str | None) -> None:
    """Keep a group function's task in a variable only if something refers to it (a local
    variable nobody reads is a lint error in the generated file)."""
    read = {returns} if returns else set()
    for statement in body:
        if statement["kind"] == "edge":
            read.update(statement["upstream"])
            read.add(statement["downstream"])
        elif "source" in statement:
            read.add(statement["source"].removesuffix(".output"))
    for statement in body:
        if "var" in statement:
            statement["lhs"] = f"{statement['var']} = " if statement["var"] in read else ""
