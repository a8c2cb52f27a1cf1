"""The local target: its capability flags and `run`, which ties code, run.json and the
scheduler together for one run (fresh or resumed)."""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from typing import ClassVar

from flowc.compiler.pipeline import CheckedFlow
from flowc.runtime_shim.datastore.base import Datastore
from flowc.runtime_shim.datastore.local import LocalDatastore
from flowc.runtime_shim.owner import current_owner
from flowc.runtime_shim.records import TaskStore
from flowc.runtime_shim.runs import RunInfo, create_run, write_run
from flowc.targets.base import TargetBase
from flowc.targets.capabilities import Capability
from flowc.targets.local.plan import RunResult
from flowc.targets.local.resume import Reuser
from flowc.targets.local.scheduler import Reporter, RunOptions, Scheduler


class LocalTarget(TargetBase):
    """Runs every task as a shim process on this machine (see docs/local-runner.md)."""

    name: ClassVar[str] = "local"
    SUPPORTS = frozenset({
        Capability.SPLIT, Capability.FOREACH, Capability.NESTED_FOREACH, Capability.SWITCH,
        Capability.SWITCH_LOOP, Capability.RETRY, Capability.TIMEOUT, Capability.CATCH,
        Capability.ENVIRONMENT,
    })
    # Meaningless on this machine: sizing, deployment-time triggers and names; kept in the IR
    # for the orchestrators. (@secrets is not here: a step that needs one gets a warning.)
    IGNORES = frozenset({
        Capability.RESOURCES, Capability.SCHEDULE, Capability.TRIGGER, Capability.PROJECT,
        Capability.UNKNOWN_DECORATORS,
    })

    def run(
        self,
        checked: CheckedFlow,
        *,
        datastore: Datastore,
        code_package: str,
        run_id: str,
        report: Reporter,
        params: tuple[tuple[str, str], ...] = (),
        max_workers: int | None = None,
        origin_run_id: str | None = None,
        from_step: str | None = None,
        launcher: str | None = None,
        flow_file: str | None = None,
    ) -> RunResult:
        store = TaskStore(datastore, checked.flow.name)
        info = RunInfo(flow=checked.flow.name, run_id=run_id, status="running",
                       runner=current_owner(),
                       started_at=time.time(), finished_at=None, params=dict(params),
                       origin_run_id=origin_run_id, steps=checked.graph.topological_order,
                       code_package=code_package, flow_file=flow_file)
        create_run(store, info)  # RunExists when another runner took this run id first
        _clean_killed_writes(datastore, checked.flow.name)
        reuse = None
        if origin_run_id is not None:
            reuse = Reuser(store, origin_run_id, run_id, checked.graph, from_step)
        options = RunOptions(run_id=run_id, datastore=datastore.url, code_package=code_package,
                             params=params, max_workers=max_workers or os.cpu_count() or 1,
                             python=sys.executable, launcher=launcher)
        status = "failed"
        failed_steps: tuple[str, ...] = ()
        try:
            result = Scheduler(checked, options, report, reuse).run()
            status = "ok" if result.ok else "failed"
            failed_steps = tuple(sorted({failure.key.step for failure in result.failures}))
        finally:
            write_run(store, dataclasses.replace(info, status=status, finished_at=time.time(),
                                                 failed_steps=failed_steps))
            if status != "ok":
                _clean_killed_writes(datastore, checked.flow.name)
        return result


# A temp file of this machine whose writer has exited is garbage. The few idle seconds guard a
# live writer whose pid this machine cannot see (another pid namespace with the same host
# name, e.g. a container); any other leftover (another host's) goes after an hour idle.
_IDLE_TEMP_SECONDS = 5.0
_IDLE_FOREIGN_TEMP_SECONDS = 3600.0


def _clean_killed_writes(datastore: Datastore, flow: str) -> None:
    """Remove the partial blobs that tasks killed while saving left behind (a SIGKILL, a
    @timeout, Ctrl-C): invisible to readers, but each as large as the artifact."""
    if isinstance(datastore, LocalDatastore):
        blobs = f"{flow}/blobs"  # blob temp files live in blobs/ itself, not below
        datastore.clean_temp_files(_IDLE_TEMP_SECONDS, under=blobs, dead_writers=True,
                                   recursive=False)
        datastore.clean_temp_files(_IDLE_FOREIGN_TEMP_SECONDS, under=blobs, recursive=False)
