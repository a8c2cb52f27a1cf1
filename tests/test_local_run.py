"""`flowc run` end to end: every example runs and succeeds, and the artifacts read back through
the client are right (foreach order, nesting, switch, loop, catch, retry, timeout, params,
merge conflicts). Also one whole run against S3 (moto)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flowc.client import Flow

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
FLOWS = Path(__file__).resolve().parent / "runner_flows"
FLOWC = [str(Path(sys.executable).with_name("flowc"))]

pytestmark = pytest.mark.slow


def flowc(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
          timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the real `flowc` CLI (a subprocess: exit codes and stdout as users see them)."""
    import os

    return subprocess.run([*FLOWC, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def run_ok(path: Path, datastore: Path, *args: str) -> subprocess.CompletedProcess[str]:
    datastore.mkdir(exist_ok=True)
    result = flowc("run", str(path), "--datastore", str(datastore), *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_runs(example: Path, tmp_path: Path) -> None:
    result = run_ok(example, tmp_path / "ds")
    assert "succeeded" in result.stdout


def latest(name: str, datastore: Path) -> object:
    run = Flow(name, datastore=str(datastore)).latest_run
    assert run is not None and run.successful
    return run


def test_foreach_join_sees_inputs_in_foreach_order(tmp_path: Path) -> None:
    run_ok(ROOT / "examples/foreach.py", tmp_path / "ds")
    run = latest("ForeachFlow", tmp_path / "ds")
    tasks = run["measure"].tasks()  # type: ignore[index]
    assert [t.data.word for t in tasks] == ["alpha", "beta", "gamma", "delta"]
    assert [t.data.position for t in tasks] == [0, 1, 2, 3]
    join = run["join"].task  # type: ignore[index]
    assert list(join.data.positions) == ["alpha", "beta", "gamma", "delta"]
    assert join.data.total_length == 5 + 4 + 5 + 5


def test_nested_foreach(tmp_path: Path) -> None:
    run_ok(ROOT / "examples/nested_foreach.py", tmp_path / "ds")
    run = latest("NestedForeachFlow", tmp_path / "ds")
    months = run["month"].tasks()  # type: ignore[index]
    assert len(months) == 2 * 2 * 3
    assert months[0].index_path == (0, 0, 0) and months[-1].index_path == (1, 1, 2)
    assert run["join_years"].task.data.sales_by_year == {"2023": 21, "2024": 42}  # type: ignore[index]


def test_switch_runs_only_the_chosen_case(tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    run_ok(ROOT / "examples/switch.py", ds, "--param", "temperature=12")
    run = latest("SwitchFlow", ds)
    assert "relax" in run and "cool_down" not in run and "warm_up" not in run  # type: ignore[operator]
    assert run["end"].task.data.action == "do nothing"  # type: ignore[index]


def test_switch_loop_runs_one_task_per_iteration(tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    run_ok(ROOT / "examples/switch_loop.py", ds, "--param", "rounds=4")
    run = latest("SwitchLoopFlow", ds)
    loops = run["increment"].tasks()  # type: ignore[index]
    assert [t.iteration for t in loops] == [0, 1, 2, 3]
    assert run["end"].task.data.history == [1, 4, 9, 16]  # type: ignore[index]


def test_catch_keeps_the_run_going(tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    run_ok(ROOT / "examples/decorators.py", ds)
    end = latest("DecoratorsFlow", ds)["end"].task  # type: ignore[index]
    assert end.data.audit_failed is True


def test_retry_fails_once_then_passes(tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    marker = tmp_path / "marker"
    result = run_ok(FLOWS / "retry_once.py", ds, "--param", f"marker={marker}")
    assert "flaky attempt 1 failed" in result.stdout
    task = latest("RetryOnceFlow", ds)["flaky"].task  # type: ignore[index]
    assert task.record.attempt == 1 and task.data.attempts_seen == 2


def test_an_interrupted_task_is_not_retried(tmp_path: Path) -> None:
    ds, marker = tmp_path / "ds", tmp_path / "attempts"
    ds.mkdir()
    result = flowc("run", str(FLOWS / "interrupted_step.py"), "--datastore", str(ds),
                   "--param", f"marker={marker}")
    assert result.returncode == 1, result.stdout + result.stderr
    assert marker.read_text() == "attempt\n"
    assert "retrying" not in result.stdout and "stopped failed" in result.stdout


def test_timeout_kills_the_task_with_a_clear_message(tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    ds.mkdir()
    result = flowc("run", str(FLOWS / "sleepy.py"), "--datastore", str(ds), timeout=30)
    assert result.returncode == 1
    assert "nap failed" in result.stdout and "timed out after 1s" in result.stdout
    assert "log:" in result.stdout


def test_parameters_of_every_type(tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    run_ok(ROOT / "examples/parameters.py", ds, "--param", "greeting=hi", "--param", "count=2",
           "--param", "ratio=1.5", "--param", "shout=true",
           "--param", 'style={"sep": "+", "suffix": "?"}', "--param", "colors=a,b",
           "--param", "owner=bob")
    start = latest("ParametersFlow", ds)["start"].task  # type: ignore[index]
    assert start.data.greeting == "hi" and start.data.count == 2
    assert start.data.ratio == 1.5 and start.data.shout is True
    assert start.data.style == {"sep": "+", "suffix": "?"}
    assert start.data.colors == ["a", "b"] and start.data.owner == "bob"
    assert start.data.message == "HI+HI?" and start.data.color_count == 2


def test_merge_artifacts_conflict_fails_the_join(tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    ds.mkdir()
    result = flowc("run", str(FLOWS / "merge_conflict.py"), "--datastore", str(ds))
    assert result.returncode == 1
    assert "join failed" in result.stdout and "value" in result.stdout


def test_whole_run_against_s3(tmp_path: Path, s3_url: str, aws_env: str) -> None:
    result = flowc("run", str(ROOT / "examples/foreach.py"), "--datastore", s3_url,
                   "--max-workers", "2", env={"FLOWC_S3_ENDPOINT_URL": aws_env})
    assert result.returncode == 0, result.stdout + result.stderr
    run = Flow("ForeachFlow", datastore=s3_url).latest_run
    assert run is not None and run.successful
    assert run["join"].task.data.total_length == 19
    env = {"FLOWC_S3_ENDPOINT_URL": aws_env}
    listing = flowc("runs", "--datastore", s3_url, env=env)
    assert listing.returncode == 0 and f"ForeachFlow/{run.id}" in listing.stdout
    shown = flowc("show", f"{run.id}/join", "--datastore", s3_url, env=env)
    assert shown.returncode == 0 and "total_length" in shown.stdout


def test_subprocess_launcher_runs_the_same_flow(tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    ds.mkdir()
    result = flowc("run", str(ROOT / "examples/foreach.py"), "--datastore", str(ds),
                   env={"FLOWC_LOCAL_LAUNCHER": "subprocess"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert latest("ForeachFlow", ds)["join"].task.data.total_length == 19  # type: ignore[index]


def test_task_output_is_echoed_before_its_outcome(tmp_path: Path) -> None:
    result = run_ok(ROOT / "examples/hello.py", tmp_path / "ds")
    lines = result.stdout.splitlines()
    assert lines.index("  end | hello, world") + 1 == lines.index(
        next(line for line in lines if line.startswith("end ok")))


def test_client_in_a_step_reads_the_run_datastore(tmp_path: Path) -> None:
    """`from metaflow import Flow` works in a step and reads the datastore the task runs in
    (not `./.flowc` of the working directory, which here does not exist)."""
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    (tmp_path / "ds").mkdir()
    result = flowc("run", str(FLOWS / "client_in_step.py"), "--datastore", str(tmp_path / "ds"),
                   cwd=elsewhere, env={"FLOWC_DATASTORE": ""})
    assert result.returncode == 0, result.stdout + result.stderr
    run = latest("ClientInStepFlow", tmp_path / "ds")
    assert run.data.own_status == "running"  # type: ignore[attr-defined]
    assert run.data.start_saw == "running"  # type: ignore[attr-defined]
    assert run.data.where == f"flowc@{tmp_path / 'ds'}"  # type: ignore[attr-defined]
    assert not (elsewhere / ".flowc").exists()


def test_a_task_exits_like_the_interpreter(tmp_path: Path) -> None:
    """Through the fork server (the default launcher) a task's non-daemon threads were killed
    and its atexit handlers never ran (os._exit); `python -m` and Metaflow run both."""
    markers = tmp_path / "markers"
    markers.mkdir()
    run_ok(FLOWS / "exit_handlers.py", tmp_path / "ds", "--param", f"where={markers}",
           "--run-id", "r1")
    run = latest("ExitHandlersFlow", tmp_path / "ds")
    assert run.data.seen == ["atexit", "thread"]  # type: ignore[attr-defined]
