"""The local target: its capability flags and `run`, which ties code, run.json and the
scheduler together for one run (fresh or resumed)."""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from typing import ClassVar

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.ir.graph import NodeKind
from flowc.compiler.pipeline import CheckedFlow
from flowc.runtime_shim.datastore.base import Datastore
from flowc.runtime_shim.datastore.local import LocalDatastore
from flowc.runtime_shim.owner import current_owner
from flowc.runtime_shim.records import TaskStore
from flowc.runtime_shim.runs import RunInfo, write_run
from flowc.targets.base import TargetBase
from flowc.targets.local.plan import RunResult
from flowc.targets.local.resume import Reuser
from flowc.targets.local.scheduler import Reporter, RunOptions, Scheduler


class LocalTarget(TargetBase):
    """Runs every task as a shim process on this machine (see docs/local-runner.md)."""

    name: ClassVar[str] = "local"
    SUPPORTS_SPLIT = True
    SUPPORTS_FOREACH = True
    SUPPORTS_NESTED_FOREACH = True
    SUPPORTS_SWITCH = True
    SUPPORTS_SWITCH_LOOP = True
    SUPPORTS_PARALLEL = False
    SUPPORTS_RETRY = True
    SUPPORTS_TIMEOUT = True
    SUPPORTS_CATCH = True
    SUPPORTS_RESOURCES = False  # accepted and ignored: everything runs on this machine
    SUPPORTS_SCHEDULE = False

    @classmethod
    def unsupported(cls, checked: CheckedFlow) -> list[Diagnostic]:
        """FLC201 for each construct this flow uses that the local runner cannot run."""
        problems = []
        for node in checked.graph:
            if node.kind is NodeKind.PARALLEL and not cls.SUPPORTS_PARALLEL:
                transition = checked.flow.step(node.name).transition
                assert transition is not None
                problems.append(rule("FLC201").at(
                    transition.span,
                    f"step '{node.name}' uses num_parallel, which the local runner cannot run",
                    help="use a foreach over range(n) to run n tasks locally"))
        return problems

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
        write_run(store, info)
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
