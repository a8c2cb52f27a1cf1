"""Task identity: the task id and pathspec as pure functions of (run, step, index path, iteration).

A retry or a re-run of the same task computes the same id, so it writes the same place and any
target can name any task without asking the orchestrator (docs/task-contract.md, "Identity").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flowc.compiler.ir.names import KEY_NAME_RULE, is_key_name

TASK_ID_PREFIX = "t"

_TASK_ID_RE = re.compile(r"t((?:\.(?:0|[1-9][0-9]*))*)(?:@([1-9][0-9]*))?")


class InvalidTaskId(ValueError):
    """A string that is not a task id or a pathspec in the form of docs/task-contract.md."""


def task_id(index_path: tuple[int, ...] = (), iteration: int = 0) -> str:
    """The task id of the task at `index_path` (outermost foreach first) and `iteration`.

    `()` -> `t`; `(3,)` -> `t.3`; `(0, 2)` -> `t.0.2`; `(0, 2)` at iteration 4 -> `t.0.2@4`.
    """
    for index in index_path:
        if not isinstance(index, int) or isinstance(index, bool) or index < 0:
            raise InvalidTaskId(f"foreach index must be a non-negative int, got {index!r}")
    if not isinstance(iteration, int) or isinstance(iteration, bool) or iteration < 0:
        raise InvalidTaskId(f"iteration must be a non-negative int, got {iteration!r}")
    text = TASK_ID_PREFIX + "".join(f".{index}" for index in index_path)
    return f"{text}@{iteration}" if iteration else text


def parse_task_id(text: str) -> tuple[tuple[int, ...], int]:
    """The inverse of `task_id`: `(index_path, iteration)`; raises InvalidTaskId."""
    match = _TASK_ID_RE.fullmatch(text)
    if match is None:
        raise InvalidTaskId(f"not a task id: {text!r} (expected 't', 't.3', 't.0.2' or 't.0.2@4')")
    indices, iteration = match.groups()
    index_path = tuple(int(part) for part in indices.split(".")[1:])
    return index_path, int(iteration) if iteration else 0


def check_name(kind: str, name: str) -> str:
    """Return `name` when it is usable as a flow, run id or step name in keys; else raise.
    The rule is `flowc.compiler.ir.names`, which `flowc check` applies too (FLC110, FLC304)."""
    if not is_key_name(name):
        raise InvalidTaskId(f"{kind} {name!r} cannot be used in a datastore key ({KEY_NAME_RULE})")
    return name


@dataclass(frozen=True, slots=True)
class Pathspec:
    """`Flow/run_id/step/task_id`, the global name of one task."""

    flow: str
    run_id: str
    step: str
    task_id: str

    def __post_init__(self) -> None:
        check_name("flow", self.flow)
        check_name("run id", self.run_id)
        check_name("step", self.step)
        parse_task_id(self.task_id)

    def __str__(self) -> str:
        return f"{self.flow}/{self.run_id}/{self.step}/{self.task_id}"

    @property
    def index_path(self) -> tuple[int, ...]:
        return parse_task_id(self.task_id)[0]

    @property
    def iteration(self) -> int:
        return parse_task_id(self.task_id)[1]


def pathspec(
    flow: str, run_id: str, step: str, index_path: tuple[int, ...] = (), iteration: int = 0
) -> str:
    """The pathspec `Flow/run_id/step/task_id` of a task, from its identity tuple."""
    return str(Pathspec(flow, run_id, step, task_id(index_path, iteration)))


def parse_pathspec(text: str) -> Pathspec:
    """Split `Flow/run_id/step/task_id` into its parts, validating each; raises InvalidTaskId."""
    parts = text.split("/")
    if len(parts) != 4:
        raise InvalidTaskId(f"not a pathspec: {text!r} (expected Flow/run_id/step/task_id)")
    return Pathspec(*parts)
