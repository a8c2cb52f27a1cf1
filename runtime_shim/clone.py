"""Reusing a finished task of an earlier run instead of running it again: how a resumed run
on an orchestrator skips what its origin run already did (docs/task-contract.md, "Resume").

Task ids are deterministic (a pure function of the index path and iteration), so the task
that a new run's task stands for in its origin run is found by key. Cloning is one record
write (plus the outputs key the orchestrators read): the clone points at the origin task's
artifact and log blobs, which are content-addressed and shared, so nothing is copied and
nothing the origin run wrote is touched. The local runner's `flowc resume` reuses tasks
through the same function.
"""

from __future__ import annotations

import dataclasses

from flowc.runtime_shim.datastore.base import DatastoreError
from flowc.runtime_shim.outputs import write_outputs_key
from flowc.runtime_shim.records import TaskRecord, TaskStore


def clone_task(store: TaskStore, origin_run_id: str, run_id: str, step: str,
               task_id: str, *, foreach_items: bool = False) -> TaskRecord | None:
    """Write the origin run's record of `step/task_id` into run `run_id` and return it; None
    when the origin run has no readable record of that task (it failed, was killed or never
    started), and the task must run."""
    try:
        record = store.read_record(origin_run_id, step, task_id)
    except DatastoreError:  # an unreadable record: the task runs again
        return None
    if record is None:
        return None
    copied = dataclasses.replace(record, run_id=run_id)
    store.write_record(copied)
    # as the shim does after any record
    write_outputs_key(store.datastore, copied, foreach_items=foreach_items)
    return copied
