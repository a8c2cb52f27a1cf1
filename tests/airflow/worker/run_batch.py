"""One Airflow worker process for a batch of DAG runs (run by the Airflow venv's python, never
by flowc's): `python run_batch.py REQUEST.json RESULT.json`.

It imports the dags folder with `DagBag`, reports import errors and each DAG's tasks, then runs
the requested DAGs one after another with `dag.test()` (tasks run in this process, so Airflow's
start-up is paid once per batch) and reports each run's task instances, their XComs and where
the run's part of the worker's log is. The environment (AIRFLOW_HOME, the dags folder, SQLite, no
examples) is set by the caller, `tests/airflow/harness.py`; see tests/airflow/README.md.

Request: {"dags_folder": str, "pods_dir": str, "max_retry_delay": float | null,
          "runs": [{"dag_id" or "file": str, "conf": {...}}], "report": [dag_id, ...]}
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from datetime import timedelta
from pathlib import Path
from typing import Any


def main(request_path: str, result_path: str) -> int:
    request = json.loads(Path(request_path).read_text())
    result: dict[str, Any] = {"import_errors": {}, "dags": {}, "runs": [], "reports": {}}
    try:
        _batch(request, result)
    except BaseException:  # the harness shows it; a half-written result is still useful
        result["error"] = traceback.format_exc()
    Path(result_path).write_text(json.dumps(result, indent=1, sort_keys=True, default=str))
    return 0


def _batch(request: dict[str, Any], result: dict[str, Any]) -> None:
    import local_pods
    from airflow.dag_processing.dagbag import DagBag

    local_pods.install(Path(request["pods_dir"]))
    bag = DagBag(dag_folder=request["dags_folder"], safe_mode=False)
    result["import_errors"] = {str(path): str(text) for path, text in bag.import_errors.items()}
    result["dags"] = {dag_id: _describe(dag) for dag_id, dag in sorted(bag.dags.items())}
    cap = request.get("max_retry_delay")
    for run in request.get("runs", []):
        dag = _find(bag, run)
        if dag is None:
            result["runs"].append({"dag_id": run.get("dag_id", ""), "file": run.get("file"),
                                   "state": "missing"})
            continue
        # The DAG freshly imported for each run: in-process tasks resolve a run's conf into
        # the tasks' own Param objects (airflow.sdk process_params), which a copy.deepcopy of
        # the DAG shares, so it would leak into the next run of the same DAG. A deployed
        # Airflow runs each task in a new process.
        dag = DagBag(dag_folder=dag.fileloc, safe_mode=False).dags[dag.dag_id]
        if cap is not None:
            _cap_retry_delays(dag, timedelta(seconds=cap))
        started, log_start = time.monotonic(), _log_offset()
        dagrun = dag.test(run_conf=run.get("conf") or None)
        report = _report(dag.dag_id, dagrun.run_id)
        report["seconds"] = round(time.monotonic() - started, 2)
        report["log_span"] = [log_start, _log_offset()]
        report["file"] = Path(dag.fileloc).name
        result["runs"].append(report)
    for dag_id in request.get("report", []):
        result["reports"][dag_id] = [_report(dag_id, run_id) for run_id in _run_ids(dag_id)]


def _log_offset() -> int:
    """Where the worker's log (stdout and stderr, one file that the tasks' processes write
    too) is now: the harness cuts each run's part out of it. In `dag.test()` the tasks write
    no log files of their own."""
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        return os.lseek(1, 0, os.SEEK_CUR)
    except OSError:  # not a file
        return 0


def _find(bag: Any, run: dict[str, Any]) -> Any:
    """The DAG a run names: by `dag_id`, or by `file` (the one DAG defined in that file)."""
    if "dag_id" in run:
        return bag.dags.get(run["dag_id"])
    found = [dag for dag in bag.dags.values() if Path(dag.fileloc).name == run["file"]]
    return found[0] if len(found) == 1 else None


def _describe(dag: Any) -> dict[str, Any]:
    """What the tests may assert about a DAG as Airflow loaded it."""
    def seconds(value: Any) -> float | None:
        return None if value is None else value.total_seconds()

    return {
        "fileloc": dag.fileloc,
        "schedule": str(getattr(dag, "schedule", None)),
        "timetable": type(dag.timetable).__name__,
        "timezone": str(getattr(dag.timetable, "_timezone", None) or dag.timezone),
        "first_run": _first_run(dag),
        "params": {name: _jsonable(dag.params.get_param(name).value) if hasattr(
            dag.params.get_param(name), "value") else None for name in dag.params},
        "max_active_tasks": dag.max_active_tasks,
        "catchup": dag.catchup,
        "tasks": {task.task_id: {
            "operator": type(task).__name__,
            "upstream": sorted(task.upstream_task_ids),
            "trigger_rule": str(getattr(task, "trigger_rule", "")),
            "retries": task.retries,
            "retry_delay": seconds(task.retry_delay),
            "execution_timeout": seconds(task.execution_timeout),
            "mapped": type(task).__name__ == "MappedOperator",
        } for task in dag.tasks},
    }


def _first_run(dag: Any) -> str | None:
    """When Airflow's scheduler would first run the DAG after its start_date (ISO, UTC), or
    None when it is not scheduled: the schedule and its timezone as Airflow reads them."""
    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import TimeRestriction

    if dag.start_date is None:
        return None
    info = coerce_to_core_timetable(dag.timetable).next_dagrun_info(
        last_automated_data_interval=None,
        restriction=TimeRestriction(earliest=dag.start_date, latest=None, catchup=True))
    return None if info is None else info.run_after.in_timezone("UTC").isoformat()


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
    return value


def _cap_retry_delays(dag: Any, cap: timedelta) -> None:
    """Like Argo's time_scale in tests/argo: the test does not wait out a production delay."""
    for task in dag.tasks:
        delay = getattr(task, "retry_delay", None)
        if delay is not None and delay > cap:
            task.retry_delay = cap
        if getattr(task, "retry_exponential_backoff", False):
            task.retry_exponential_backoff = False


def _run_ids(dag_id: str) -> list[str]:
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        return list(session.scalars(select(DagRun.run_id).where(DagRun.dag_id == dag_id)
                                    .order_by(DagRun.id)))


def _report(dag_id: str, run_id: str) -> dict[str, Any]:
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        dagrun = session.scalars(select(DagRun).where(DagRun.dag_id == dag_id,
                                                      DagRun.run_id == run_id)).one()
        tis = session.scalars(select(TaskInstance).where(
            TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id)
            .order_by(TaskInstance.task_id, TaskInstance.map_index)).all()
        xcoms = session.scalars(select(XComModel).where(
            XComModel.dag_id == dag_id, XComModel.run_id == run_id,
            XComModel.key == "return_value")).all()
        report = {
            "dag_id": dag_id, "run_id": run_id, "state": str(dagrun.state),
            "conf": dagrun.conf,
            "tasks": [{"task_id": ti.task_id, "map_index": ti.map_index, "state": str(ti.state),
                       "try_number": ti.try_number} for ti in tis],
            "xcom": {f"{x.task_id}[{x.map_index}]": _jsonable(XComModel.deserialize_value(x))
                     for x in xcoms},
        }
    return report


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
