"""Faults: a task killed while saving a large artifact leaves nothing visible and resume
finishes the run; a corrupt blob gives a clear integrity error everywhere it is read; bad
invocations give a one-line error and exit 2 before any task starts."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from flowc.runtime_shim.datastore.digest import blob_digest
from test_local_run import FLOWC, FLOWS, ROOT, flowc, run_ok

from flowc.client import Flow, IntegrityError

pytestmark = pytest.mark.slow
TEMP_RE = re.compile(r"\.blob\.tmp-(\d+)@")


def _big_temp_file(blobs: Path) -> tuple[Path, int] | None:
    if not blobs.is_dir():
        return None
    for path in blobs.iterdir():
        match = TEMP_RE.match(path.name)
        if match:
            try:
                if path.stat().st_size > (16 << 20):
                    return path, int(match.group(1))
            except FileNotFoundError:
                continue
    return None


def test_kill_while_saving_leaves_nothing_and_resume_finishes(tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    ds.mkdir()
    process = subprocess.Popen([*FLOWC, "run", str(FLOWS / "big_artifact.py"),
                                "--datastore", str(ds), "--run-id", "killed"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    blobs = ds / "BigArtifactFlow" / "blobs"
    deadline = time.monotonic() + 60
    found = None
    while found is None and time.monotonic() < deadline and process.poll() is None:
        found = _big_temp_file(blobs)
        time.sleep(0.002)
    assert found is not None, "never saw the large blob being written"
    os.kill(found[1], signal.SIGKILL)
    out, _ = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "killed by SIGKILL" in out
    run_dir = ds / "BigArtifactFlow" / "runs" / "killed"
    assert not list(run_dir.glob("*/*/record.json"))
    for blob in blobs.rglob("*"):  # every visible blob is whole: it hashes to its name
        if blob.is_file() and not blob.name.startswith("."):
            assert blob_digest([blob.read_bytes()]) == blob.name
    if found[0].exists():  # the killed writer's partial file (unless the kill came just late)
        os.utime(found[0], (time.time() - 60, time.time() - 60))  # ... idle for a while now
    result = flowc("resume", "killed", "--datastore", str(ds))
    assert result.returncode == 0, result.stdout + result.stderr
    # ... which the next run removes: it used to stay forever, as large as the artifact
    assert not [p.name for p in blobs.rglob(".*") if ".tmp-" in p.name]
    run = Flow("BigArtifactFlow", datastore=str(ds)).latest_run
    assert run is not None and run.successful and run.info.origin_run_id == "killed"
    assert run["end"].task.data.size == 200 * 1024 * 1024


def test_corrupt_blob_is_a_clear_integrity_error(tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    run_ok(ROOT / "examples/foreach.py", ds, "--run-id", "r1")
    flow = Flow("ForeachFlow", datastore=str(ds))
    ref = flow["r1"]["join"].task.record.artifacts["lengths"]
    blob = ds / "ForeachFlow" / "blobs" / ref.hash[:2] / ref.hash
    data = bytearray(blob.read_bytes())
    data[-1] ^= 0xFF
    blob.write_bytes(bytes(data))

    shown = flowc("show", "r1/join", "--datastore", str(ds))
    assert shown.returncode == 1
    assert "corrupt" in shown.stderr and ref.hash in shown.stderr
    assert len(shown.stderr.strip().splitlines()) == 1
    listed = {line.split()[0]: line for line in shown.stdout.splitlines()[1:]}
    assert listed["lengths"].endswith("<corrupt blob>")  # the others are still shown
    assert listed["total_length"].rstrip().endswith("19")

    with pytest.raises(IntegrityError, match="corrupt"):
        _ = Flow("ForeachFlow", datastore=str(ds))["r1"]["join"].task.data.lengths

    resumed = flowc("resume", "r1", "--from", "end", "--datastore", str(ds))
    assert resumed.returncode == 3  # the task's integrity error is an infrastructure failure
    assert "end failed" in resumed.stdout and "corrupt" in resumed.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--param", "count=three"], "count"),
        (["--param", "nosuch=1"], "nosuch"),
        (["--datastore", "/nonexistent/flowc-datastore"], "does not exist"),
    ],
    ids=["bad-value", "unknown-param", "missing-datastore"],
)
def test_bad_invocations_give_one_line_and_exit_2(tmp_path: Path, args: list[str],
                                                   needle: str) -> None:
    ds = tmp_path / "ds"
    ds.mkdir()
    if "--datastore" not in args:
        args = [*args, "--datastore", str(ds)]
    result = flowc("run", str(ROOT / "examples/parameters.py"), *args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], result.stderr
    assert result.stdout == ""
    assert not (ds / "ParametersFlow").exists()


def test_existing_run_id_is_refused(tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    run_ok(ROOT / "examples/hello.py", ds, "--run-id", "same")
    again = flowc("run", str(ROOT / "examples/hello.py"), "--datastore", str(ds),
                  "--run-id", "same")
    assert again.returncode == 2 and "already exists" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
