"""Run DAG files on Airflow from a test: `run_batch` imports a set of DAG files with `DagBag`
and runs the requested DAGs with `dag.test()` in ONE Airflow process (Airflow's start-up, about
10 s per `airflow dags test`, is paid once per batch); `dags_test` runs one DAG through the real
`airflow dags test` command. Both talk to Airflow through files: a request and a result JSON
(worker/run_batch.py) and the pods' folders (worker/local_pods.py).

Every batch has its own AIRFLOW_HOME (a copy of a migrated SQLite database), so DAG ids of
different batches never meet, and a KubernetesPodOperator runs its pod as a local process.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from airflow.venv import airflow_bin, airflow_env, new_home

WORKER = Path(__file__).resolve().parent / "worker" / "run_batch.py"
_INFO = re.compile(r"^\S+Z \[(info|debug)\s*\]")


@dataclass(frozen=True)
class TaskReport:
    task_id: str
    map_index: int  # -1 for a task that is not mapped
    state: str
    try_number: int


@dataclass(frozen=True)
class RunReport:
    """One DAG run as Airflow's database saw it when the run ended."""

    dag_id: str
    run_id: str
    state: str
    tasks: tuple[TaskReport, ...]
    xcom: Mapping[str, Any]  # "task_id[map_index]" -> return_value
    log: str = ""  # the worker's log while this run ran (Airflow's and the tasks' output)
    seconds: float = 0.0
    file: str = ""  # the DAG file's name

    @classmethod
    def from_json(cls, data: Mapping[str, Any], worker_log: bytes = b"") -> RunReport:
        start, end = data.get("log_span", (0, 0))
        return cls(dag_id=data["dag_id"], run_id=data.get("run_id", ""), state=data["state"],
                   file=data.get("file") or "",
                   tasks=tuple(TaskReport(**task) for task in data.get("tasks", ())),
                   xcom=data.get("xcom", {}),
                   log=worker_log[start:end].decode(errors="replace"),
                   seconds=data.get("seconds", 0.0))

    def instances(self, task_id: str) -> list[TaskReport]:
        return [task for task in self.tasks if task.task_id == task_id]

    def states(self) -> dict[str, str]:
        """{"task_id[map_index]": state} for every task instance."""
        return {f"{task.task_id}[{task.map_index}]": task.state for task in self.tasks}

    def explain(self) -> str:
        """The text to show when a run did not do what a test expected."""
        lines = [f"dag {self.dag_id} run {self.run_id}: {self.state}"]
        lines += [f"  {key}: {state}" for key, state in sorted(self.states().items())]
        # Airflow's own info lines are noise here; errors, tracebacks and the tasks' output
        # (the shim's stderr, a pod's lines) are what explains a failure
        telling = [line for line in self.log.splitlines()
                   if not _INFO.search(line) or "[pod]" in line or "[DAG TEST]" in line]
        lines += ["--- worker log (without Airflow's info lines), last 80 lines", *telling[-80:]]
        return "\n".join(lines)


@dataclass(frozen=True)
class BatchResult:
    import_errors: Mapping[str, str]
    dags: Mapping[str, Any]  # dag_id -> what worker/run_batch.py's _describe says
    runs: tuple[RunReport, ...]
    reports: Mapping[str, tuple[RunReport, ...]] = field(default_factory=dict)
    home: Path = Path()

    def run(self, dag_id: str = "", *, file: str = "") -> RunReport:
        """The run of a DAG, by its id or by its file's name."""
        found = [run for run in self.runs
                 if (dag_id and run.dag_id == dag_id) or (file and run.file == file)]
        assert len(found) == 1, (dag_id or file, [(r.dag_id, r.file) for r in self.runs])
        return found[0]


def run_batch(dag_files: Mapping[str, str | bytes], workdir: Path, scratch: Path, *,
              runs: Iterable[tuple[str, Mapping[str, Any]]] = (),
              runs_by_file: Iterable[tuple[str, Mapping[str, Any]]] = (),
              report: Iterable[str] = (), max_retry_delay: float | None = 1.0,
              timeout: float = 600) -> BatchResult:
    """Import `dag_files` ({path under the dags folder: source}) with DagBag and run each
    `(dag_id, conf)` of `runs`, then each `(file name, conf)` of `runs_by_file` (the one DAG of
    that file), with `dag.test(run_conf=conf)`, in order, in one Airflow process. `report`
    names DAGs whose runs are reported as well. `max_retry_delay` caps each task's
    `retry_delay` (seconds; None keeps the DAG's own)."""
    home = prepare_home(dag_files, workdir, scratch)
    requested = [{"dag_id": d, "conf": dict(c)} for d, c in runs]
    requested += [{"file": f, "conf": dict(c)} for f, c in runs_by_file]
    return _work(home, workdir, {"runs": requested,
                                 "report": list(report), "max_retry_delay": max_retry_delay},
                 timeout)


def dags_test(home: Path, dag_id: str, conf: Mapping[str, Any] | None = None,
              timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """`airflow dags test DAG_ID [-c CONF]` in a home made by `prepare_home` (the real command
    line path: its own process, DAG parsing, and exit 1 when the run failed)."""
    command = [str(airflow_bin("airflow")), "dags", "test", dag_id]
    if conf:
        command += ["-c", json.dumps(conf)]
    return subprocess.run(command, env=airflow_env(home), cwd=home, capture_output=True,
                          text=True, timeout=timeout)


def prepare_home(dag_files: Mapping[str, str | bytes], workdir: Path, scratch: Path) -> Path:
    """An AIRFLOW_HOME with these DAG files, for `dags_test` and then `report_home`."""
    workdir.mkdir(parents=True, exist_ok=True)
    home = new_home(workdir, scratch)
    for name, source in dag_files.items():
        (home / "dags" / name).parent.mkdir(parents=True, exist_ok=True)
        (home / "dags" / name).write_bytes(
            source if isinstance(source, bytes) else source.encode())
    return home


def report_home(home: Path, dag_ids: Iterable[str], timeout: float = 300) -> BatchResult:
    """The runs an earlier process (e.g. `dags_test`) left in `home`'s database."""
    return _work(home, home.parent, {"runs": [], "report": list(dag_ids),
                                     "max_retry_delay": None}, timeout)


def _work(home: Path, workdir: Path, request: dict[str, Any], timeout: float) -> BatchResult:
    request = {**request, "dags_folder": str(home / "dags"), "pods_dir": str(workdir / "pods")}
    request_file, result_file = workdir / "request.json", workdir / "result.json"
    request_file.write_text(json.dumps(request, indent=1))
    result_file.unlink(missing_ok=True)
    log = workdir / "worker.log"
    with log.open("w") as output:
        done = subprocess.run([str(airflow_bin()), str(WORKER), str(request_file),
                               str(result_file)], env=airflow_env(home), cwd=workdir,
                              stdout=output, stderr=subprocess.STDOUT, timeout=timeout)
    if not result_file.exists():
        raise AssertionError(f"the Airflow worker wrote no result (exit {done.returncode}):\n"
                             + log.read_text()[-6000:])
    data = json.loads(result_file.read_text())
    if "error" in data:
        raise AssertionError(f"the Airflow worker failed:\n{data['error']}\n--- worker log\n"
                             + log.read_text()[-4000:])
    worker_log = log.read_bytes()
    return BatchResult(
        import_errors=data["import_errors"], dags=data["dags"],
        runs=tuple(RunReport.from_json(run, worker_log) for run in data["runs"]),
        reports={dag_id: tuple(RunReport.from_json(run) for run in runs)
                 for dag_id, runs in data["reports"].items()},
        home=home)
