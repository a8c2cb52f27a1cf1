"""Deploying to and triggering on Airflow: the compiled `airflow.py` written into a dags folder,
a local path or an `s3://bucket/prefix` (as managed Airflow reads DAGs), as `<dag_id>.py`,
rewritten only when its bytes changed; a run started through Airflow 3's REST API when
`api_url` is set, else the `airflow dags trigger` command to start it is printed.

Settings (docs/deploy.md): `dags_folder`, `api_url` (optional) and the API token in
`$AIRFLOW_API_TOKEN`. The DAG id is read from the compiled file (its `dag_id=` literal).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shlex
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from flowc.targets.deploy.code import CodePackage, Prepared, parameter_values
from flowc.targets.deploy.errors import (
    EXIT_REFUSED,
    EXIT_USAGE,
    DeployError,
    Unreachable,
    missing_setting,
    scrub,
)
from flowc.targets.deploy.plan import Deployment, Found, Resource, Triggered

DAG_FILE = "airflow.py"
TOKEN_ENV = "AIRFLOW_API_TOKEN"
TIMEOUT = 30.0


def dag_id(prepared: Prepared) -> str:
    """The `dag_id=` string literal of the compiled DAG file (else the flow's name)."""
    tree = ast.parse(prepared.files[DAG_FILE])
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "dag_id" and isinstance(keyword.value, ast.Constant) \
                        and isinstance(keyword.value.value, str):
                    return keyword.value.value
    return prepared.checked.flow.name


def _s3() -> Any:
    import boto3

    endpoint = os.environ.get("FLOWC_S3_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL")
    return boto3.client("s3", endpoint_url=endpoint)


class DagFile(Resource):
    """The DAG file in the dags folder; its fingerprint is the digest of its bytes."""

    kind = "DAG file"

    def __init__(self, folder: str, file_name: str, data: bytes) -> None:
        self.folder = folder.rstrip("/")
        self.file_name = file_name
        self.data = data

    @property
    def name(self) -> str:
        return f"{self.folder}/{self.file_name}"

    @property
    def wanted_fingerprint(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def planned_calls(self) -> tuple[str, ...]:
        if self.folder.startswith("s3://"):
            return (f"s3:GetObject {self.name}", f"s3:PutObject {self.name} if it differs "
                    f"({len(self.data):,} bytes)")
        return (f"read {self.name}", f"write {self.name} if it differs ({len(self.data):,} bytes)")

    def shown(self) -> str:
        return self.data.decode("utf-8")

    def _bucket_key(self) -> tuple[str, str]:
        bucket, _, prefix = self.name.removeprefix("s3://").partition("/")
        return bucket, prefix

    def read(self) -> Found | None:
        from flowc.targets.deploy.aws import NotFound, call

        if self.folder.startswith("s3://"):
            bucket, key = self._bucket_key()
            try:
                got = call(f"s3:GetObject {self.name}",
                           lambda: _s3().get_object(Bucket=bucket, Key=key)["Body"].read(),
                           missing_ok=True)
            except NotFound:
                return None
            return Found(fingerprint=hashlib.sha256(got).hexdigest())
        path = Path(self.name)
        if not Path(self.folder).is_dir():
            raise DeployError(f"the dags folder {self.folder} (setting 'dags_folder') is not a "
                              "directory")
        try:
            return Found(fingerprint=hashlib.sha256(path.read_bytes()).hexdigest())
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise DeployError(f"cannot read {path}: {exc.strerror or exc}") from None

    def create(self) -> None:
        from flowc.targets.deploy.aws import call

        if self.folder.startswith("s3://"):
            bucket, key = self._bucket_key()
            call(f"s3:PutObject {self.name}",
                 lambda: _s3().put_object(Bucket=bucket, Key=key, Body=self.data,
                                          ContentType="text/x-python"))
            return
        handle, temp = tempfile.mkstemp(prefix=f".{self.file_name}.", dir=self.folder)
        try:  # atomic: the scheduler never parses half a file
            with os.fdopen(handle, "wb") as out:
                out.write(self.data)
            os.chmod(temp, 0o644)
            os.replace(temp, self.name)
        except OSError as exc:
            Path(temp).unlink(missing_ok=True)
            raise DeployError(f"cannot write {self.name}: {exc.strerror or exc}") from None

    def update(self, found: Found) -> None:
        self.create()


def deployment(prepared: Prepared, environ: Mapping[str, str]) -> Deployment:
    """The code package, then the DAG file."""
    folder = prepared.settings.dags_folder
    missing = [] if folder else [missing_setting(
        "airflow", "dags_folder", "where Airflow reads DAG files: a directory or s3://bucket/dags")]
    resources: list[Resource] = []
    if not prepared.package_given:
        resources.append(CodePackage(prepared, prepared.settings.datastore))
    identifier = dag_id(prepared)
    resources.append(DagFile(folder or "(dags_folder not set)", f"{identifier}.py",
                             prepared.files[DAG_FILE]))
    return Deployment(target="airflow", flow=prepared.checked.flow.name,
                      where=f"Airflow as DAG {identifier}", resources=tuple(resources),
                      missing=tuple(missing))


def conf(prepared: Prepared, params: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The run's conf: each given parameter as the DAG's typed param takes it, decoded by the
    shim's decoder (a number, a boolean, a JSON value), except a list parameter, which is
    the text given (the DAG's param is its joined string)."""
    from flowc.runtime_shim.params import resolve_parameters

    given = parameter_values(prepared, params)
    decoded = resolve_parameters(prepared.checked.flow,
                                 tuple(f"{name}={value}" for name, value in given))
    by_name = {p.name: p for p in prepared.checked.flow.parameters}
    values: dict[str, Any] = {}
    for name, raw in given:
        parameter = by_name[name]
        values[name] = raw if parameter.separator else decoded.get(parameter.attribute, raw)
    return values


def trigger(prepared: Prepared, params: Sequence[tuple[str, str]],
            environ: Mapping[str, str], dry_run: bool = False) -> Triggered:
    """Trigger a DAG run named by a fresh run id with the parameters as its conf."""
    return _trigger(prepared, conf(prepared, params), environ, dry_run)


def resume(prepared: Prepared, origin_run_id: str, reuse_steps: Sequence[str],
           params: Sequence[tuple[str, str]], environ: Mapping[str, str]) -> Triggered:
    """A DAG run whose tasks of `reuse_steps` clone the origin run's finished tasks (the DAG's
    flowc.origin_run and flowc.reuse_steps params)."""
    from flowc.targets.airflow.names import ORIGIN_RUN_PARAM, REUSE_STEPS_PARAM

    body = {**conf(prepared, params), ORIGIN_RUN_PARAM: origin_run_id,
            REUSE_STEPS_PARAM: ",".join(reuse_steps)}
    return _trigger(prepared, body, environ, False)


def _trigger(prepared: Prepared, run_conf: dict[str, Any], environ: Mapping[str, str],
             dry_run: bool) -> Triggered:
    from flowc.runtime_shim.contracts.run_id import new_run_id

    identifier, run_id = dag_id(prepared), new_run_id()
    body = {"dag_run_id": run_id, "logical_date": None, "conf": run_conf}
    flow = prepared.checked.flow.name
    show = f"then: flowc show {flow}/{run_id} --datastore {prepared.settings.datastore}"
    api = prepared.settings.api_url
    if not api:
        command = shlex.join(["airflow", "dags", "trigger", identifier, "--run-id", run_id,
                              "--conf", json.dumps(run_conf, sort_keys=True)])
        return Triggered(run_id=run_id, lines=(
            "no Airflow REST API is configured (setting 'api_url'); start the run with:",
            f"  {command}", show))
    url = api.rstrip("/") + f"/api/v2/dags/{identifier}/dagRuns"
    if dry_run:
        return Triggered(run_id="", lines=(
            f"# dry run: start a run of {flow} on Airflow; nothing is called",
            f"# POST {url}", json.dumps(body, indent=2, ensure_ascii=False)))
    _post(url, body, environ.get(TOKEN_ENV), f"DAG {identifier}")
    return Triggered(run_id=run_id, lines=(
        f"run {flow}/{run_id} triggered: DAG {identifier}, run {run_id}",
        f"watch: {api.rstrip('/')}/dags/{identifier}/runs/{run_id}", show))


def _post(url: str, body: dict[str, Any], token: str | None, what: str) -> dict[str, Any]:
    import urllib.error
    import urllib.request

    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token.removeprefix('Bearer ').strip()}"
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers,
                                     method="POST")
    call = f"POST {url}"
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            answer: dict[str, Any] = json.loads(response.read() or b"{}")
            return answer
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:300].replace("\n", " ")
        text = scrub(f"{call} for {what} failed: {exc.code} {detail}", (token,))
        if exc.code in (401, 403):
            raise DeployError(f"{text}: the Airflow API refused the credentials (set "
                              f"${TOKEN_ENV})", EXIT_USAGE) from None
        if exc.code >= 500:
            raise Unreachable(text) from None
        raise DeployError(text, EXIT_REFUSED) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise Unreachable(scrub(f"cannot reach the Airflow API at {url} ({call} for {what}): "
                                f"{reason}", (token,))) from None
