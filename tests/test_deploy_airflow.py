"""Deploying to Airflow: the DAG file written into a local dags folder and into an `s3://`
prefix on moto, byte for byte the compiled file, rewritten only when it changed; a trigger
through a REST API double (real HTTP on 127.0.0.1) or, without an API, the printed
`airflow dags trigger` command; a resume's conf. The DAG file is the airflow target's own
compile output, and what lands in the dags folder imports with Airflow's DagBag.
"""

from __future__ import annotations

import dataclasses
import json
import shlex
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flowc.targets.deploy import DeployError, airflow
from flowc.targets.deploy.code import Prepared
from flowc.targets.deploy.plan import Outcome, run

FLOW = '''from flowc import FlowSpec, JSONType, Parameter, schedule, step

@schedule(cron="{cron}", timezone="Europe/Paris")
class NightlyFlow(FlowSpec):
    alpha = Parameter("alpha", default=0.1, type=float)
    label = Parameter("label", default="x")
    spec = Parameter("spec", default='{{"a": 1}}', type=JSONType)

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
'''


def prepare(folder: Path, datastore: str, *, cron: str = "0 3 * * *",
            dags_folder: str | None = None, api_url: str | None = None) -> Prepared:
    """What `flowc deploy FILE --target airflow` deploys: the airflow target's compile output."""
    from flowc.commands.deploy import prepare as prepare_for

    (folder / "pyproject.toml").write_text(
        f'[tool.flowc.airflow]\noperator = "local"\ndatastore = "{datastore}"\n')
    path = folder / "nightly.py"
    path.write_text(FLOW.format(cron=cron))
    prepared, _ = prepare_for(path, "airflow", None, {})
    return dataclasses.replace(prepared, settings=dataclasses.replace(
        prepared.settings, dags_folder=dags_folder, api_url=api_url))


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
    assert lines[1] == f"DAG file {dags}/NightlyFlow.py: created"
    assert (dags / "NightlyFlow.py").read_bytes() == prepared.files["airflow.py"]
    assert [p.name for p in dags.iterdir()] == ["NightlyFlow.py"]  # no temporary left over
    assert list(store.rglob(f"*{prepared.code_package}*"))

    outcomes, lines = deploy(prepare(flow_dir, str(store), dags_folder=str(dags)))
    assert outcomes == (Outcome.UNCHANGED, Outcome.UNCHANGED)
    assert lines[-1].startswith("nothing changed")

    changed = prepare(flow_dir, str(store), cron="0 4 * * *", dags_folder=str(dags))
    outcomes, _ = deploy(changed)
    assert outcomes == (Outcome.CREATED, Outcome.UPDATED)  # new source: a new code package
    assert (dags / "NightlyFlow.py").read_bytes() == changed.files["airflow.py"]


def test_deploy_into_an_s3_prefix(s3_url: str, s3_client: Any, s3_bucket: str,
                                  tmp_path: Path) -> None:
    (tmp_path / "flow").mkdir()
    prepared = prepare(tmp_path / "flow", s3_url,
                       dags_folder=f"s3://{s3_bucket}/airflow/dags/")
    outcomes, _ = deploy(prepared)
    assert outcomes == (Outcome.CREATED, Outcome.CREATED)
    body = s3_client.get_object(Bucket=s3_bucket, Key="airflow/dags/NightlyFlow.py")["Body"]
    assert body.read() == prepared.files["airflow.py"]
    outcomes, _ = deploy(prepared)
    assert outcomes == (Outcome.UNCHANGED, Outcome.UNCHANGED)


def test_a_missing_or_wrong_dags_folder_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "flow").mkdir()
    prepared = prepare(tmp_path / "flow", str(tmp_path))
    with pytest.raises(DeployError, match=r"missing setting 'dags_folder'.*"
                                          r"FLOWC_AIRFLOW_DAGS_FOLDER"):
        run(airflow.deployment(prepared, {}), print)
    absent = prepare(tmp_path / "flow", str(tmp_path), dags_folder=str(tmp_path / "no"))
    absent = dataclasses.replace(absent, package_given=True)
    with pytest.raises(DeployError, match="is not a directory"):
        run(airflow.deployment(absent, {}), print)


def test_trigger_without_an_api_prints_the_command(tmp_path: Path) -> None:
    prepared = prepare(tmp_path, "/tmp/ds")
    triggered = airflow.trigger(prepared, [("alpha", "0.25")], {})
    assert triggered.lines[0].startswith("no Airflow REST API is configured")
    command = shlex.split(triggered.lines[1])
    assert command[:4] == ["airflow", "dags", "trigger", "NightlyFlow"]
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
    prepared = prepare(tmp_path, "/tmp/ds", api_url=url + "/")
    triggered = airflow.trigger(prepared, [("alpha", "0.25"), ("label", "t"),
                                           ("spec", '{"b": [1, 2]}')],
                                {"AIRFLOW_API_TOKEN": "jwt-token"})
    path, authorization, body = seen[-1]
    assert path == "/api/v2/dags/NightlyFlow/dagRuns"
    assert authorization == "Bearer jwt-token"
    assert body == {"dag_run_id": triggered.run_id, "logical_date": None,
                    "conf": {"alpha": 0.25, "label": "t", "spec": {"b": [1, 2]}}}
    assert triggered.lines[1] == f"watch: {url}/dags/NightlyFlow/runs/{triggered.run_id}"
    dry = airflow.trigger(prepared, [("alpha", "0.5")], {}, dry_run=True)
    assert dry.lines[1] == f"# POST {url}/api/v2/dags/NightlyFlow/dagRuns"
    assert json.loads("\n".join(dry.lines[2:]))["conf"] == {"alpha": 0.5}
    assert len(seen) == 1
    resumed = airflow.resume(prepared, "origin-1", ["start"], [], {"AIRFLOW_API_TOKEN":
                                                                    "jwt-token"})
    assert seen[-1][2]["conf"] == {"flowc.origin_run": "origin-1",
                                   "flowc.reuse_steps": "start"}
    assert resumed.run_id == seen[-1][2]["dag_run_id"]
    with pytest.raises(DeployError) as refused:
        airflow.trigger(prepared, [], {"AIRFLOW_API_TOKEN": "stale-token"})
    assert refused.value.exit_code == 2 and "stale-token" not in str(refused.value)
    assert "AIRFLOW_API_TOKEN" in str(refused.value)


def test_the_cli_dry_run_prints_the_dag_and_names_the_missing_folder(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from flowc.cli import main

    prepared = prepare(tmp_path, str(tmp_path / "store"))
    result = CliRunner().invoke(main, ["deploy", str(prepared.flow_file), "--target",
                                       "airflow", "--dry-run"])
    assert result.exit_code == 2, result.output
    assert prepared.files["airflow.py"].decode() in result.output
    assert "# a real deploy stops here: missing setting 'dags_folder'" in result.output
    assert not (tmp_path / "store").exists()


@pytest.mark.slow
def test_a_deployed_dags_folder_imports_with_dagbag(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    from airflow.harness import run_batch

    flow_dir, dags, store = tmp_path / "flow", tmp_path / "dags", tmp_path / "store"
    for folder in (flow_dir, dags, store):
        folder.mkdir()
    deploy(prepare(flow_dir, str(store), dags_folder=str(dags)))
    files = {path.name: path.read_bytes() for path in dags.iterdir()}
    assert list(files) == ["NightlyFlow.py"]
    result = run_batch(files, tmp_path / "airflow", tmp_path_factory.getbasetemp())
    assert result.import_errors == {}
    [dag] = result.dags.values()
    assert (dag["schedule"], dag["timezone"]) == ("0 3 * * *", "Europe/Paris")
