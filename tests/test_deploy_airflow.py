"""Deploying to Airflow: the DAG file written into a local dags folder and into an `s3://`
prefix on moto, byte for byte the compiled file, rewritten only when it changed; a trigger
through a REST API double (real HTTP on 127.0.0.1) or, without an API, the printed
`airflow dags trigger` command.

The DAG file is given here as the airflow emitter writes it (`airflow.py`), so the deploy
module is tested on its own; importing deployed files with DagBag is the Airflow harness's.
"""

from __future__ import annotations

import dataclasses
import json
import shlex
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flowc.compiler import check_file
from flowc.compiler.ir import dumps
from flowc.targets.deploy import DeployError, airflow
from flowc.targets.deploy.code import Prepared
from flowc.targets.deploy.plan import Outcome, run
from flowc.targets.package import package_digest

FLOW = '''from flowc import FlowSpec, Parameter, step

class NightlyFlow(FlowSpec):
    alpha = Parameter("alpha", default=0.1, type=float)
    label = Parameter("label", default="x")

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
'''
DAG = '''"""NightlyFlow."""
from airflow.sdk import DAG

with DAG(dag_id="nightly_flow", schedule={schedule!r}, catchup=False) as dag:
    pass
'''


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    datastore: str
    dags_folder: str | None = None
    api_url: str | None = None
    code_package: str | None = None


def prepare(folder: Path, datastore: str, *, schedule: str = "0 3 * * *",
            **settings: Any) -> Prepared:
    path = folder / "nightly.py"
    path.write_text(FLOW)
    checked = check_file(path).checked
    packaged = check_file(path, root=folder).checked
    assert checked is not None and packaged is not None
    ir = dumps(packaged.flow)
    return Prepared(target="airflow", checked=checked,
                    files={"airflow.py": DAG.format(schedule=schedule).encode()},
                    settings=Settings(datastore=datastore, **settings), flow_file=path,
                    package_ir=ir, code_package=package_digest(folder, ir))


def deploy(prepared: Prepared) -> tuple[tuple[Outcome, ...], list[str]]:
    lines: list[str] = []
    return run(airflow.deployment(prepared, {}), lines.append), lines


def test_deploy_into_a_local_dags_folder(tmp_path: Path) -> None:
    flow_dir, dags, store = tmp_path / "flow", tmp_path / "dags", tmp_path / "store"
    for folder in (flow_dir, dags, store):
        folder.mkdir()
    prepared = prepare(flow_dir, str(store), dags_folder=str(dags))
    outcomes, lines = deploy(prepared)
    assert outcomes == (Outcome.CREATED, Outcome.CREATED)
    assert lines[1] == f"DAG file {dags}/nightly_flow.py: created"
    assert (dags / "nightly_flow.py").read_bytes() == prepared.files["airflow.py"]
    assert [p.name for p in dags.iterdir()] == ["nightly_flow.py"]  # no temporary left over
    assert list(store.rglob(f"*{prepared.code_package}*"))

    outcomes, lines = deploy(prepare(flow_dir, str(store), dags_folder=str(dags)))
    assert outcomes == (Outcome.UNCHANGED, Outcome.UNCHANGED)
    assert lines[-1].startswith("nothing changed")

    changed = prepare(flow_dir, str(store), schedule="0 4 * * *", dags_folder=str(dags))
    outcomes, _ = deploy(changed)
    assert outcomes == (Outcome.UNCHANGED, Outcome.UPDATED)
    assert (dags / "nightly_flow.py").read_bytes() == changed.files["airflow.py"]


def test_deploy_into_an_s3_prefix(s3_url: str, s3_client: Any, s3_bucket: str,
                                  tmp_path: Path) -> None:
    prepared = prepare(tmp_path, s3_url, dags_folder=f"s3://{s3_bucket}/airflow/dags/")
    outcomes, _ = deploy(prepared)
    assert outcomes == (Outcome.CREATED, Outcome.CREATED)
    body = s3_client.get_object(Bucket=s3_bucket, Key="airflow/dags/nightly_flow.py")["Body"]
    assert body.read() == prepared.files["airflow.py"]
    outcomes, _ = deploy(prepared)
    assert outcomes == (Outcome.UNCHANGED, Outcome.UNCHANGED)


def test_a_missing_or_wrong_dags_folder_is_one_line(tmp_path: Path) -> None:
    prepared = prepare(tmp_path, str(tmp_path))
    with pytest.raises(DeployError, match=r"missing setting 'dags_folder'.*"
                                          r"FLOWC_AIRFLOW_DAGS_FOLDER"):
        run(airflow.deployment(prepared, {}), print)
    absent = dataclasses.replace(prepared, package_given=True,
                                 settings=Settings(datastore="x", dags_folder=str(tmp_path / "no")))
    with pytest.raises(DeployError, match="is not a directory"):
        run(airflow.deployment(absent, {}), print)


def test_trigger_without_an_api_prints_the_command(tmp_path: Path) -> None:
    prepared = prepare(tmp_path, "s3://b/ds")
    triggered = airflow.trigger(prepared, [("alpha", "0.25")], {})
    assert triggered.lines[0].startswith("no Airflow REST API is configured")
    command = shlex.split(triggered.lines[1])
    assert command[:4] == ["airflow", "dags", "trigger", "nightly_flow"]
    assert command[command.index("--run-id") + 1] == triggered.run_id
    assert json.loads(command[command.index("--conf") + 1]) == {"alpha": 0.25}


@pytest.fixture
def airflow_api() -> Iterator[tuple[str, list[tuple[str, str | None, Any]]]]:
    """An Airflow 3 API double that records each POST and answers 200 (401 without the token)."""
    seen: list[tuple[str, str | None, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append((self.path, self.headers.get("Authorization"), body))
            ok = self.headers.get("Authorization") == "Bearer jwt-token"
            data = json.dumps({"dag_run_id": body["dag_run_id"]} if ok else
                              {"detail": "Not authenticated"}).encode()
            self.send_response(200 if ok else 401)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_trigger_through_the_rest_api(tmp_path: Path, airflow_api: Any) -> None:
    url, seen = airflow_api
    prepared = prepare(tmp_path, "s3://b/ds", api_url=url + "/")
    triggered = airflow.trigger(prepared, [("alpha", "0.25"), ("label", "t")],
                                {"AIRFLOW_API_TOKEN": "jwt-token"})
    path, authorization, body = seen[-1]
    assert path == "/api/v2/dags/nightly_flow/dagRuns"
    assert authorization == "Bearer jwt-token"
    assert body == {"dag_run_id": triggered.run_id, "logical_date": None,
                    "conf": {"alpha": 0.25, "label": "t"}}
    assert triggered.lines[1] == f"watch: {url}/dags/nightly_flow/runs/{triggered.run_id}"
    dry = airflow.trigger(prepared, [("alpha", "0.5")], {}, dry_run=True)
    assert dry.lines[1] == f"# POST {url}/api/v2/dags/nightly_flow/dagRuns"
    assert json.loads("\n".join(dry.lines[2:]))["conf"] == {"alpha": 0.5}
    assert len(seen) == 1
    with pytest.raises(DeployError) as refused:
        airflow.trigger(prepared, [], {"AIRFLOW_API_TOKEN": "stale-token"})
    assert refused.value.exit_code == 2 and "stale-token" not in str(refused.value)
    assert "AIRFLOW_API_TOKEN" in str(refused.value)
