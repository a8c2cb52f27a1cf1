"""The Airflow target's settings (`[tool.flowc.airflow]`, `--set`, `FLOWC_AIRFLOW_*`; see
flowc.targets.settings): which operator runs the tasks, where they read and write, and the
limits of the Airflow installation the DAG is written for."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flowc.targets.settings import CommonSettings, SettingsError, setting

OPERATORS = ("kubernetes", "local")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True, slots=True, kw_only=True)
class AirflowSettings(CommonSettings):
    datastore: str = setting(
        help="the datastore every task reads and writes: s3://bucket/prefix, or an absolute "
             "path on the workers (operator=local)")
    operator: str = setting(
        default="kubernetes",
        help="kubernetes (a KubernetesPodOperator per task) or local (the shim runs as a "
             "process on the Airflow worker)")
    image: str | None = setting(
        default=None, help="the container image every task runs in (operator=kubernetes)")
    namespace: str | None = setting(default=None, help="the Kubernetes namespace of the pods")
    service_account: str | None = setting(default=None,
                                          help="the service account the pods run as")
    image_pull_policy: str | None = setting(default=None, help="Always, IfNotPresent or Never")
    image_pull_secrets: tuple[str, ...] = setting(default=(),
                                                  help="secrets for pulling the image")
    kubernetes_conn_id: str | None = setting(
        default=None, help="the Airflow connection to the cluster (the provider's default)")
    max_active_tasks: int | None = setting(
        default=None, help="the most tasks of the DAG that run at once (Airflow's default)")
    max_map_length: int = setting(
        default=1024, help="Airflow's core.max_map_length: the most tasks one foreach may map")
    start_date: str = setting(
        default="2024-01-01",
        help="the DAG's fixed start date (YYYY-MM-DD), in the @schedule timezone")
    python: str = setting(default="python",
                          help="the Python that runs the shim (in the image, or on the worker)")
    dags_folder: str | None = setting(
        default=None, help="where Airflow reads DAG files: a directory or s3://bucket/prefix "
                           "(flowc deploy)")
    api_url: str | None = setting(
        default=None, help="Airflow 3's API server, for flowc trigger (else the `airflow dags "
                           "trigger` command is printed)")
    code_package: str | None = setting(
        default=None, help="the code package's digest (flowc compile computes it from the "
                           "flow's folder; it must be in the datastore before a run)")

    def __post_init__(self) -> None:
        problems = []
        if self.operator not in OPERATORS:
            problems.append(f"setting 'operator' is {self.operator!r}: use kubernetes or local")
        if self.operator == "kubernetes" and not self.image:
            problems.append("setting 'image' is required with operator=kubernetes")
        if self.operator == "kubernetes" and not self.datastore.startswith("s3://"):
            problems.append("setting 'datastore' must be s3://bucket/prefix with "
                            "operator=kubernetes (a pod sees no local path of the worker)")
        if not self.datastore.startswith(("s3://", "/", "file:///")):
            problems.append(f"setting 'datastore' is {self.datastore!r}: use s3://bucket/prefix "
                            "or an absolute path (tasks run in another working directory)")
        if self.max_map_length < 1:
            problems.append("setting 'max_map_length' must be at least 1")
        if not _DATE.fullmatch(self.start_date):
            problems.append(f"setting 'start_date' is {self.start_date!r}: use YYYY-MM-DD")
        if problems:
            raise SettingsError(problems)
