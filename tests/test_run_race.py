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
from test_local_run import FLOWC, ROOT

from flowc.client import Flow

pytestmark = pytest.mark.slow
EXAMPLE = ROOT / "examples" / "parameters.py"
PAIRS = 20
AT_ONCE = 5  # pairs started together: enough to race, bounded on a 2-core machine


def _run(datastore: str, run_id: str, greeting: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FLOWC_LOCAL_LAUNCHER": "subprocess"}
    return subprocess.run(
        [*FLOWC, "run", str(EXAMPLE), "--datastore", datastore, "--run-id", run_id,
         "--param", f"greeting={greeting}"],
        capture_output=True, text=True, timeout=60, env=env,
    )


def _race(datastore: str) -> None:
    def pair(n: int) -> tuple[str, list[subprocess.CompletedProcess[str]]]:
        run_id = f"race-{n}"
        with ThreadPoolExecutor(2) as both:
            results = list(both.map(lambda g: _run(datastore, run_id, g), ("aaa", "bbb")))
        return run_id, results

    with ThreadPoolExecutor(AT_ONCE) as pool:
        outcomes = list(pool.map(pair, range(PAIRS)))
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
    _race(s3_url)


def test_put_if_absent_has_one_winner(tmp_path: Path, s3_url: str) -> None:
    for store in (open_datastore(str(tmp_path)), open_datastore(s3_url)):
        assert store.put_if_absent("F/runs/r/run.json", b"first\n") is True
        assert store.put_if_absent("F/runs/r/run.json", b"second\n") is False
        assert store.get_bytes("F/runs/r/run.json") == b"first\n"
        assert store.list_keys("F") == ["F/runs/r/run.json"]  # no temp file left
