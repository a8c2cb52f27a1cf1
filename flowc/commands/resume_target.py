"""`flowc resume [FLOW/]RUN[/STEP] FILE --target argo|sfn|airflow [--from STEP]`: resume a run of an
orchestrator on that orchestrator. The origin run's task records are read from the target's
datastore (its settings); the steps to reuse are the resume rules of targets/resume.py; a new
run is started from the deployed definition with the origin run and those steps, so each of
their tasks clones its origin record (runtime_shim/clone.py) and the rest runs. Deploy the
fixed flow first (`flowc deploy`); a definition that differs from FILE is noted.
"""

from __future__ import annotations

import os
from pathlib import Path

from flowc.commands.common import EXIT_INFRA, Output, fail, split_path
from flowc.commands.deploy import check_target, deploy_errors, prepare


def resume_on_target(run: str, file: Path | None, from_step: str | None,
                     flow_name: str | None, target: str, overrides: dict[str, str]) -> None:
    from flowc.commands.run import _resume_point
    from flowc.runtime_shim.datastore import DatastoreError, open_datastore
    from flowc.runtime_shim.datastore.base import Unreachable
    from flowc.runtime_shim.identity import InvalidTaskId, check_name
    from flowc.runtime_shim.records import TaskStore
    from flowc.runtime_shim.runs import read_run
    from flowc.targets.deploy import deployer
    from flowc.targets.resume import ResumeError, resume_point, reused_steps

    check_target(target)
    if file is None:
        fail(f"resume --target {target} needs the flow FILE: its settings name the datastore "
             f"and the orchestrator (flowc resume {run} FILE --target {target})")
    prepared, _ = prepare(file, target, flow_name, overrides)
    flow = prepared.checked.flow.name
    parts = split_path(run)
    if parts[0] == flow and len(parts) > 1:
        parts = parts[1:]
    run_id, rest = parts[0], parts[1:]
    from_step = _resume_point(run, rest, from_step)
    datastore = prepared.settings.datastore
    try:
        check_name("run id", run_id)
        tasks = TaskStore(open_datastore(datastore), flow)
        info = read_run(tasks, run_id)
        if info is None:
            fail(f"no run {flow}/{run_id} in {datastore}")
        graph = prepared.checked.graph
        point = resume_point(graph, lambda step: bool(tasks.list_tasks(run_id, step)),
                             from_step)
        if point is None:
            fail(f"every step of {flow}/{run_id} finished: give --from STEP to re-run from a "
                 "step")
        reuse = reused_steps(graph, lambda step: bool(tasks.list_tasks(run_id, step)), point)
    except ResumeError as exc:
        fail(str(exc))
    except (InvalidTaskId, ValueError) as exc:
        fail(str(exc))
    except Unreachable as exc:
        fail(str(exc), EXIT_INFRA)
    except DatastoreError as exc:
        fail(str(exc))
    out = Output()
    out(f"resuming {flow}/{run_id} on {target}: re-running from {point}; reusing "
        f"{', '.join(reuse) if reuse else 'nothing'}")
    with deploy_errors():
        started = deployer(target).resume(prepared, run_id, reuse,
                                          tuple(info.params.items()), os.environ)
    for line in started.lines:
        out(line)
