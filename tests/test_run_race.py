"""Two `flowc run --run-id X` at once: exactly one gets the run, the other fails in one line
(exit 2) before any task, and run.json agrees with the artifacts (issue 12, defect 1).

Run creation is a put-if-absent of run.json: an exclusive hard link locally, a conditional
PUT (`If-None-Match: *`) on S3 (moto's server honours it)."""

from __future__ import annotations

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flowc.runtime_shim.datastore import open_datastore
from flowc.runtime_shim.records import TaskStore
from flowc.runtime_shim.runs import RunExists, RunInfo, create_run
from test_local_run import FLOWC, ROOT

from flowc.client import Flow

pytestmark = pytest.mark.slow
EXAMPLE = ROOT / "examples" / "parameters.py"
PAIRS = 20
S3_PAIRS = 5  # every S3 process imports boto3: 20 CLI pairs take ~100 s on 2 cores, so S3
# gets 5 CLI pairs and the 20-pair race is run on `create_run` itself (threads, moto server)
AT_ONCE = 5  # pairs started together: enough to race, bounded on a 2-core machine


def _run(datastore: str, run_id: str, greeting: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FLOWC_LOCAL_LAUNCHER": "subprocess"}
    return subprocess.run(
        [*FLOWC, "run", str(EXAMPLE), "--datastore", datastore, "--run-id", run_id,
         "--param", f"greeting={greeting}"],
        capture_output=True, text=True, timeout=60, env=env,
    )


def _race(datastore: str, pairs: int = PAIRS) -> None:
    def pair(n: int) -> tuple[str, list[subprocess.CompletedProcess[str]]]:
        run_id = f"race-{n}"
        with ThreadPoolExecutor(2) as both:
            results = list(both.map(lambda g: _run(datastore, run_id, g), ("aaa", "bbb")))
        return run_id, results

    with ThreadPoolExecutor(AT_ONCE) as pool:
        outcomes = list(pool.map(pair, range(pairs)))
    for run_id, results in outcomes:
        codes = sorted(r.returncode for r in results)
        detail = "\n".join(r.stdout + r.stderr for r in results)
        assert codes == [0, 2], detail
        loser = next(r for r in results if r.returncode == 2)
        assert loser.stderr.splitlines() == [
            f"flowc: error: run ParametersFlow/{run_id} already exists in {datastore}"
        ], detail
        assert "Traceback" not in detail
        run = Flow("ParametersFlow", datastore=open_datastore(datastore))[run_id]
        greeting = run["start"].task.data.greeting
        assert run.status == "ok"
        assert run.info.params["greeting"] == greeting  # run.json agrees with the artifacts
        assert run.data.message == "-".join([greeting] * 3) + "!"


def test_same_run_id_race_locally(tmp_path: Path) -> None:
    datastore = tmp_path / "ds"
    datastore.mkdir()
    _race(str(datastore))


def test_same_run_id_race_on_s3(s3_url: str) -> None:
    _race(s3_url, S3_PAIRS)


def test_create_run_race_on_s3_has_one_winner_per_pair(s3_url: str) -> None:
    runners = {greeting: TaskStore(open_datastore(s3_url), "F") for greeting in ("aaa", "bbb")}

    def create(run_id: str, greeting: str) -> bool:
        store = runners[greeting]  # one client per side (boto3 clients are thread-safe)
        info = RunInfo(flow="F", run_id=run_id, status="running", started_at=0.0,
                       finished_at=None, params={"greeting": greeting}, origin_run_id=None,
                       steps=("start", "end"))
        try:
            create_run(store, info)
        except RunExists:
            return False
        return True

    jobs = [(f"race-{n}", greeting) for n in range(PAIRS) for greeting in ("aaa", "bbb")]
    with ThreadPoolExecutor(len(jobs)) as pool:
        won = list(pool.map(lambda job: create(*job), jobs))
    store = TaskStore(open_datastore(s3_url), "F")
    for n in range(PAIRS):
        assert won[2 * n] != won[2 * n + 1]
        winner = "aaa" if won[2 * n] else "bbb"
        assert store.read_run(f"race-{n}")["params"] == {"greeting": winner}  # type: ignore[index]


def test_put_if_absent_has_one_winner(tmp_path: Path, s3_url: str) -> None:
    for store in (open_datastore(str(tmp_path)), open_datastore(s3_url)):
        assert store.put_if_absent("F/runs/r/run.json", b"first\n") is True
        assert store.put_if_absent("F/runs/r/run.json", b"second\n") is False
        assert store.get_bytes("F/runs/r/run.json") == b"first\n"
        assert store.list_keys("F") == ["F/runs/r/run.json"]  # no temp file left
