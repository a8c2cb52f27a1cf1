"""A killed runner's scratch folder (`$TMPDIR/flowc-<run id>-*`) is removed by a later run
(issue 12, defect 8), and only a folder whose runner process is known to be gone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flowc.runtime_shim.owner import HOST, current_owner
from flowc.targets.local.launch import SCRATCH_OWNER, reap_scratch

FLOWC = str(Path(sys.executable).with_name("flowc"))
ROOT = Path(__file__).resolve().parent.parent
SLOW = ("import time\nfrom flowc import FlowSpec, step\n\n\nclass SlowFlow(FlowSpec):\n"
        "    @step\n    def start(self):\n        time.sleep(30)\n        self.next(self.end)\n\n"
        "    @step\n    def end(self):\n        pass\n")


def _gone_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_only_folders_of_gone_runners_are_reaped(tmp_path: Path) -> None:
    owners = {"flowc-dead-1": f"{_gone_pid()}@{HOST}", "flowc-live-2": current_owner(),
              "flowc-elsewhere-3": "1@another-host", "flowc-code": None, "other-4": None}
    for name, owner in owners.items():
        (tmp_path / name / "1").mkdir(parents=True)
        if owner is not None:
            (tmp_path / name / SCRATCH_OWNER).write_text(owner)
    (tmp_path / "flowc-dead-5").mkdir()
    (tmp_path / "flowc-dead-5" / SCRATCH_OWNER).write_text(f"{_gone_pid()}@{HOST}")
    removed = reap_scratch(tmp_path)
    assert sorted(p.name for p in removed) == ["flowc-dead-1", "flowc-dead-5"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "flowc-code", "flowc-elsewhere-3", "flowc-live-2", "other-4"]


@pytest.mark.slow
def test_a_later_run_reaps_a_killed_runners_folder(tmp_path: Path) -> None:
    scratch_root = tmp_path / "tmp"
    scratch_root.mkdir()
    store = tmp_path / "ds"
    store.mkdir()
    flow = tmp_path / "flow" / "slow.py"
    flow.parent.mkdir()
    flow.write_text(SLOW)
    env = {**os.environ, "TMPDIR": str(scratch_root)}
    runner = subprocess.Popen([FLOWC, "run", str(flow), "--datastore", str(store)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    deadline = time.monotonic() + 15
    while not list(scratch_root.glob(f"flowc-*/{SCRATCH_OWNER}")):
        assert time.monotonic() < deadline and runner.poll() is None
        time.sleep(0.05)
    (killed,) = scratch_root.glob("flowc-*")
    os.killpg(runner.pid, signal.SIGKILL)  # the runner, its fork server and the task
    runner.wait()
    later = subprocess.run([FLOWC, "run", str(ROOT / "examples/hello.py"), "--datastore",
                            str(store)], env=env, capture_output=True, text=True, timeout=60)
    assert later.returncode == 0, later.stderr
    assert not killed.exists()
    assert list(scratch_root.glob("flowc-*")) == []  # the later run cleaned up after itself
