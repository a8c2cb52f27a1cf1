"""`flowc runs`, `flowc show` and the client over runs of the examples; resume reuse."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_local_run import FLOWC, FLOWS, ROOT, flowc, run_ok

from flowc.client import Flow

pytestmark = pytest.mark.slow


def test_runs_lists_and_show_renders(tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    run_ok(ROOT / "examples/foreach.py", ds, "--run-id", "first")
    run_ok(ROOT / "examples/hello.py", ds, "--run-id", "second")
    listing = flowc("runs", "--datastore", str(ds))
    assert listing.returncode == 0
    lines = listing.stdout.splitlines()
    assert lines[0].split()[:2] == ["RUN", "STATUS"]
    assert any(line.startswith("ForeachFlow/first") and " ok " in line for line in lines)
    assert any(line.startswith("HelloFlow/second") for line in lines)
    only = flowc("runs", "ForeachFlow", "--datastore", str(ds))
    assert "HelloFlow" not in only.stdout

    run = flowc("show", "first", "--datastore", str(ds))
    assert run.returncode == 0 and "measure: 4 tasks" in run.stdout
    step = flowc("show", "ForeachFlow/first/measure", "--datastore", str(ds))
    assert "t.3" in step.stdout
    task = flowc("show", "first/join", "--datastore", str(ds))
    assert task.returncode == 0
    total = next(line for line in task.stdout.splitlines() if "total_length" in line)
    assert "int" in total and total.rstrip().endswith("19")
    missing = flowc("show", "nosuchrun", "--datastore", str(ds))
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1


def test_client_navigation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ds = tmp_path / "ds"
    run_ok(ROOT / "examples/foreach.py", ds, "--run-id", "a1")
    run_ok(ROOT / "examples/foreach.py", ds, "--run-id", "a2")
    monkeypatch.setenv("FLOWC_DATASTORE", str(ds))
    flow = Flow("ForeachFlow")
    assert [run.id for run in flow.runs()] == ["a2", "a1"]
    run = flow.latest_run
    assert run is not None and run.id == "a2" and run.successful
    assert [step.name for step in run.steps()] == ["start", "measure", "join", "end"]
    task = run["measure"].tasks()[2]
    assert task.data.word == "gamma" and task["word"].data == "gamma"
    assert task.pathspec == "ForeachFlow/a2/measure/t.2"
    assert "word" in task.data and task["length"].type == "int"
    assert run.data.total_length == 19
    with pytest.raises(KeyError):
        run["nosuchstep"]


def test_resume_reuses_finished_tasks(tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    ds.mkdir()
    marker = tmp_path / "ready"
    failed = flowc("run", str(FLOWS / "flaky_foreach.py"), "--datastore", str(ds),
                   "--run-id", "broken", "--param", f"marker={marker}")
    assert failed.returncode == 1 and "body[2] failed" in failed.stdout
    assert "item 2 is not ready" in failed.stdout
    marker.write_text("now")
    resumed = flowc("resume", "broken", "--datastore", str(ds))
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    # The failure point is the first failed step: steps before it are reused; it and every
    # step after it run again, so no task mixes the fixed code with the old code's outputs.
    assert "start reused" in resumed.stdout
    assert "body[0] ok" in resumed.stdout and "body[2] ok" in resumed.stdout
    assert "body[0] reused" not in resumed.stdout
    run = Flow("FlakyForeachFlow", datastore=str(ds)).latest_run
    assert run is not None and run.successful and run.info.origin_run_id == "broken"
    assert run["join"].task.data.squares == [0, 1, 4, 9]
    again = flowc("resume", run.id, "--from", "join", "--datastore", str(ds))
    assert again.returncode == 0
    assert "join ok" in again.stdout and "body[3] reused" in again.stdout
    by_path = flowc("resume", f"FlakyForeachFlow/{run.id}/join", "--datastore", str(ds))
    assert by_path.returncode == 0, by_path.stderr  # RUN/STEP is RUN --from STEP
    assert "join ok" in by_path.stdout and "body[3] reused" in by_path.stdout
    bad = flowc("resume", run.id, "--from", "nosuch", "--datastore", str(ds))
    assert bad.returncode == 2 and "nosuch" in bad.stderr


def test_default_datastore_is_dot_flowc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLOWC_DATASTORE", raising=False)
    ran = flowc("run", str(ROOT / "examples/linear.py"), cwd=tmp_path,
                env={"FLOWC_DATASTORE": ""})
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert (tmp_path / ".flowc").is_dir()
    listing = flowc("runs", cwd=tmp_path, env={"FLOWC_DATASTORE": ""})
    assert listing.returncode == 0 and " ok " in listing.stdout
    monkeypatch.chdir(tmp_path)
    flow_name = listing.stdout.splitlines()[1].split("/")[0]
    run = Flow(flow_name).latest_run
    assert run is not None and run.successful


def test_artifact_of_a_class_the_flow_defines(tmp_path: Path) -> None:
    """`show` used to die with a ModuleNotFoundError traceback, the client raised it: the class
    lives in the flow module, which only tasks import. The client now imports it from the run's
    code package; show (which never runs user code) says the value is not loadable here."""
    import subprocess
    import sys

    ds = tmp_path / "ds"
    run_ok(FLOWS / "flow_class_artifact.py", ds, "--run-id", "r1")
    shown = flowc("show", "FlowClassArtifactFlow/r1/end", "--datastore", str(ds), cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    moved = next(line for line in shown.stdout.splitlines() if "moved" in line)
    assert "Point" in moved and "<not loadable here: ModuleNotFoundError" in moved
    script = ("import sys\nfrom flowc import Flow\n"
              f"task = Flow('FlowClassArtifactFlow', datastore={str(ds)!r})['r1']['end'].task\n"
              "print(task.data.moved, task.data.point)\n"
              "print(getattr(sys.modules.get('metaflow'), '__flowc_alias__', False))\n")
    client = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=tmp_path)
    assert client.returncode == 0, client.stderr
    assert client.stdout.splitlines() == ["Point(x=2, y=2) Point(x=1, y=2)", "False"]
    # inside a task of a flow that imports metaflow, `metaflow` is already flowc's alias
    in_task = ("from flowc.runtime_shim import metaflow_alias\nmetaflow_alias.install()\n"
               + script.replace("False))", "False), sys.modules['metaflow'].Flow)"))
    aliased = subprocess.run([sys.executable, "-c", in_task], capture_output=True, text=True,
                             cwd=tmp_path)
    assert aliased.returncode == 0, aliased.stderr
    assert aliased.stdout.splitlines()[0] == "Point(x=2, y=2) Point(x=1, y=2)"
    assert aliased.stdout.splitlines()[1].startswith(
        "True <class 'flowc.runtime_shim.client.Flow'>")


def test_a_run_whose_runner_was_killed_reads_as_stopped(tmp_path: Path) -> None:
    """run.json said `running` forever after the runner itself was SIGKILLed; the runner's
    `<pid>@<host>` in it now tells a dead run from a live one on this machine."""
    import os
    import signal
    import subprocess
    import time

    from flowc.runtime_shim.owner import HOST

    ds, release = tmp_path / "ds", tmp_path / "release"
    ds.mkdir()
    runner = subprocess.Popen(
        [*FLOWC, "run", str(FLOWS / "waits_for_file.py"), "--run-id", "k",
         "--param", f"signal_file={release}", "--datastore", str(ds)], cwd=tmp_path,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run_json = ds / "WaitsForFileFlow" / "runs" / "k" / "run.json"
    try:
        deadline = time.monotonic() + 60
        while not run_json.exists():
            assert runner.poll() is None and time.monotonic() < deadline, "never started"
            time.sleep(0.01)
        assert f"{runner.pid}@{HOST}" in run_json.read_text()
        live = flowc("runs", "WaitsForFileFlow", "--datastore", str(ds))
        assert " running " in live.stdout.splitlines()[1]
        os.kill(runner.pid, signal.SIGKILL)
        runner.wait()
    finally:
        release.touch()  # let a task the kill left behind finish
    listing = flowc("runs", "WaitsForFileFlow", "--datastore", str(ds))
    assert listing.returncode == 0
    assert " stopped " in listing.stdout.splitlines()[1], listing.stdout
    run = Flow("WaitsForFileFlow", datastore=str(ds))["k"]
    assert run.finished and not run.successful and run.status == "stopped"
