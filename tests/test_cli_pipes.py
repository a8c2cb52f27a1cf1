"""A closed stdout never fails a run (issue 12, defect 4): `flowc run ... | head -1` goes on
with its output dropped, records the run as it really ended and exits with the run's status."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOWC = str(Path(sys.executable).with_name("flowc"))

pytestmark = pytest.mark.slow


def _piped(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`command | head -1` in a real shell; the exit status is flowc's (PIPESTATUS[0])."""
    script = f"{command} | head -1; exit ${{PIPESTATUS[0]}}"
    return subprocess.run(["bash", "-c", script], cwd=cwd, capture_output=True, text=True,
                          timeout=60)


def test_run_through_a_closed_pipe_succeeds_and_says_so(tmp_path: Path) -> None:
    store = tmp_path / "ds"
    store.mkdir()
    command = shlex.join([FLOWC, "run", str(ROOT / "examples/hello.py"), "--datastore",
                          str(store)])
    result = _piped(command, tmp_path)
    assert result.stdout.startswith("run HelloFlow/"), result.stdout
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    (run_json,) = store.glob("HelloFlow/**/run.json")
    info = json.loads(run_json.read_text())
    assert info["status"] == "ok" and info["failed_steps"] == []
    assert info["finished_at"] is not None


def test_runs_and_show_through_a_closed_pipe(tmp_path: Path) -> None:
    store = tmp_path / "ds"
    store.mkdir()
    subprocess.run([FLOWC, "run", str(ROOT / "examples/foreach.py"), "--datastore", str(store)],
                   check=True, capture_output=True, timeout=60)
    run_id = json.loads(next(store.glob("ForeachFlow/**/run.json")).read_text())["run_id"]
    for args in (["runs"], ["show", f"ForeachFlow/{run_id}/measure"]):
        command = shlex.join([FLOWC, *args, "--datastore", str(store)])
        # many lines, so that the pipe is closed while flowc still writes
        result = _piped(f"{command}; {command}; {command}", tmp_path)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr and "Broken pipe" not in result.stderr
