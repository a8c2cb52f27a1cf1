"""The runtime shim as real processes: `python -m flowc.runtime_shim step ...` task by task.

A small foreach flow is driven by hand (start, three children, the join, end) and its
records, artifacts, logs and outputs are checked; then exit codes for bad invocations,
parameters and user errors, switches and loops, @catch, merge_artifacts and Metaflow imports.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flowc.runtime_shim.datastore.local import LocalDatastore
from flowc.runtime_shim.records import TaskStore
from flows._harness import FLOWS, REPO, compile_flow, run_shim, run_whole_flow

pytestmark = pytest.mark.slow


def _setup(tmp_path: Path, flow: str) -> tuple[Path, Path, TaskStore]:
    code_dir, datastore = tmp_path / "code", tmp_path / "ds"
    checked = compile_flow(FLOWS / f"{flow}.py", code_dir)
    datastore.mkdir()
    return code_dir, datastore, TaskStore(LocalDatastore(datastore), checked.flow.name)


def _artifacts(store: TaskStore, step: str, task: str, run_id: str = "r1") -> dict[str, object]:
    record = store.read_record(run_id, step, task)
    assert record is not None, f"{step}/{task} has no record"
    return store.load_artifacts(record.artifacts)


def test_foreach_flow_task_by_task(tmp_path: Path) -> None:
    code_dir, ds, store = _setup(tmp_path, "shim_foreach")

    start = run_shim("start", datastore=ds, code_dir=code_dir, params=("scale=3",))
    assert start.code == 0, start.stderr
    assert start.outputs == {"task_id": "t", "foreach_cardinality": 3,
                             "foreach_indices": [0, 1, 2], "switch_choice": "",
                             "switch_target": ""}
    assert start.last_error_line == "flowc: ShimForeachFlow/r1/start/t ok"
    for text in ("start says hello", "start warns", "from a child process", "raw fd write"):
        assert text in start.stderr  # echoed from the task's logs
    record = store.read_record("r1", "start", "t")
    assert record is not None and record.status == "ok" and record.foreach_cardinality == 3
    values = _artifacts(store, "start", "t")
    assert values["scale"] == 3 and values["label"] == "x" and values["colors"] == ["red", "green"]
    assert values["context"] == {
        "flow": "ShimForeachFlow", "run": "r1", "step": "start", "task": "t",
        "pathspec": "ShimForeachFlow/r1/start/t", "retry": 0, "running": True, "tempdir": True,
    }
    stdout_log = store.get_log("r1", "start", "t", 0, "stdout")
    assert "start says hello" in stdout_log and "from a child process" in stdout_log
    assert "raw fd write" in stdout_log
    assert "start warns" in store.get_log("r1", "start", "t", 0, "stderr")

    outputs_dir, xcom = tmp_path / "argo", tmp_path / "xcom" / "return.json"
    for index, word in enumerate(["a", "bb", "ccc"]):
        extra = ("--outputs-dir", str(outputs_dir), "--xcom-file", str(xcom)) if index == 1 else ()
        body = run_shim("body", datastore=ds, code_dir=code_dir, index_path=(index,), extra=extra)
        assert body.code == 0, body.stderr
        assert body.outputs["task_id"] == f"t.{index}"
        values = _artifacts(store, "body", f"t.{index}")
        assert values["item"] == word and values["position"] == index
        assert values["stack"] == [(index, 3, word)]
        assert values["size"] == len(word) * 3 and values["mode"] == "on"
        assert values["items"] == ["a", "bb", "ccc"]  # inherited from start
        child = store.read_record("r1", "body", f"t.{index}")
        assert child is not None and child.parents == ("start/t",)
    assert (outputs_dir / "task_id").read_text() == "t.1"
    assert (outputs_dir / "foreach_cardinality").read_text() == "0"
    assert (outputs_dir / "foreach_indices").read_text() == "[]"
    assert (outputs_dir / "switch_choice").read_text() == ""
    assert json.loads(xcom.read_text())["task_id"] == "t.1"

    join = run_shim("join", datastore=ds, code_dir=code_dir)
    assert join.code == 0, join.stderr
    values = _artifacts(store, "join", "t")
    assert values["sizes"] == [3, 6, 9] and values["items_seen"] == ["a", "bb", "ccc"]
    assert values["count"] == 3 and values["first"] == "a" and values["scale_in_join"] == 3
    assert values["mode"] == "on" and "items" not in values and "item" not in values
    join_record = store.read_record("r1", "join", "t")
    assert join_record is not None
    assert join_record.parents == ("body/t.0", "body/t.1", "body/t.2")

    end = run_shim("end", datastore=ds, code_dir=code_dir)
    assert end.code == 0 and end.outputs["task_id"] == "t"
    assert _artifacts(store, "end", "t")["total"] == 18
    assert "total 18" in store.get_log("r1", "end", "t", 0, "stdout")


@pytest.mark.parametrize(
    ("step", "args", "code", "message"),
    [
        ("start", {"extra": ("--run-id",)}, 2, "error:"),
        ("start", {"run_id": "bad/id"}, 2, "error: --run-id: run id 'bad/id' cannot be used"),
        ("join", {}, 3, "ShimForeachFlow/r1/start/t has no record"),
        ("nope", {}, 2, "unknown step 'nope'"),
        ("body", {}, 2, "--index-path needs 1"),
        ("start", {"extra": ("--index-path", "a,b")}, 2, "is not an index path"),
        ("start", {"extra": ("--iteration", "2")}, 2, "--iteration is only for"),
        ("start", {"params": ("nope=1",)}, 2, "unknown parameter 'nope'"),
        ("start", {"params": ("scale=abc",)}, 2, "parameter 'scale': 'abc' is not a valid int"),
        ("start", {"params": ("scale",)}, 2, "--param expects NAME=VALUE"),
        ("start", {"params": ("scale=1", "scale=2")}, 2, "given twice"),
        ("join", {"params": ("scale=1",)}, 2, "--param is only for the start step"),
        ("body", {"index_path": (0,)}, 3, "ShimForeachFlow/r1/start/t has no record"),
        ("start", {"datastore": "missing-dir"}, 3, "does not exist"),
        ("start", {"code_dir": "missing-code"}, 3, "code directory"),
        ("start", {"extra": ("--reuse-steps", "start")}, 2, "--reuse-steps needs --origin-run-id"),
        ("start", {"extra": ("--origin-run-id", "a/b")}, 2, "--origin-run-id: run id 'a/b'"),
        ("start", {"extra": ("--origin-run-id", "r0", "--reuse-steps", "start,nope")}, 2,
         "--reuse-steps names no step of flow ShimForeachFlow: nope"),
    ],
)
def test_bad_invocations(tmp_path: Path, step: str, args: dict[str, object], code: int,
                         message: str) -> None:
    code_dir, ds, _ = _setup(tmp_path, "shim_foreach")
    options: dict[str, object] = {"datastore": ds, "code_dir": code_dir, **args}
    for key in ("datastore", "code_dir"):
        if isinstance(options[key], str):
            options[key] = tmp_path / str(options[key])
    result = run_shim(step, **options)  # type: ignore[arg-type]
    assert result.code == code, result.stderr
    assert result.stdout == ""
    assert message in result.last_error_line


def test_required_parameter_and_user_error(tmp_path: Path) -> None:
    code_dir, ds, store = _setup(tmp_path, "shim_errors")
    missing = run_shim("start", datastore=ds, code_dir=code_dir)
    assert missing.code == 2
    assert "missing required parameter 'who'" in missing.last_error_line

    failed = run_shim("start", datastore=ds, code_dir=code_dir, params=("who=me", "mode=raise"))
    assert failed.code == 1 and failed.stdout == ""
    assert "RuntimeError: failed on purpose" in failed.stderr  # the traceback
    assert "flowc.runtime_shim" not in failed.stderr.split("Traceback", 1)[1].rsplit("\n", 2)[0]
    assert failed.last_error_line.endswith(
        "user error: step 'start' raised RuntimeError: failed on purpose")
    assert store.read_record("r1", "start", "t") is None  # a failed task has no record
    assert "failed on purpose" in store.get_log("r1", "start", "t", 0, "stderr")


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("not-iterable", "foreach artifact 'items' is not iterable (its type is int)"),
        ("missing", "foreach artifact 'items' is not set"),
        ("unpicklable", "artifact 'handle'"),
        ("twice", "called self.next() twice"),
        ("no-next", "did not call self.next() (expected self.next(self.body, foreach='items'))"),
    ],
)
def test_transition_errors(tmp_path: Path, mode: str, message: str) -> None:
    code_dir, ds, store = _setup(tmp_path, "shim_errors")
    result = run_shim("start", datastore=ds, code_dir=code_dir, params=("who=me", f"mode={mode}"))
    assert result.code == 1, result.stderr
    assert message in result.last_error_line
    assert "step 'start'" in result.last_error_line
    assert store.read_record("r1", "start", "t") is None


def test_transition_that_differs_from_the_ir(tmp_path: Path) -> None:
    code_dir, ds, _ = _setup(tmp_path, "shim_errors")
    source = code_dir / "shim_errors.py"
    text = source.read_text()
    head, sep, tail = text.rpartition('self.next(self.body, foreach="items")')
    source.write_text(head + "self.next(self.end)" + tail)
    result = run_shim("start", datastore=ds, code_dir=code_dir, params=("who=me",))
    assert result.code == 1
    assert ("step 'start' called self.next(self.end) but the compiled flow has "
            "self.next(self.body, foreach='items')") in result.last_error_line


def test_switch_without_a_case(tmp_path: Path) -> None:
    code_dir, ds, _ = _setup(tmp_path, "shim_switch")
    result = run_shim("start", datastore=ds, code_dir=code_dir, params=("choice=medium",))
    assert result.code == 1
    assert "switch condition 'level' is 'medium', which matches no case" in result.last_error_line


@pytest.mark.parametrize(("choice", "parent", "final"),
                         [("high", "high/t@2", ("high", 3)), ("low", "low/t", ("low", 0))])
def test_switch_and_loop(tmp_path: Path, choice: str, parent: str, final: tuple[str, int]) -> None:
    code_dir, ds, store = _setup(tmp_path, "shim_switch")
    checked = compile_flow(FLOWS / "shim_switch.py", code_dir)
    run_whole_flow(checked, code_dir, ds, params=(f"choice={choice}",))
    start = store.read_record("r1", "start", "t")
    assert start is not None and start.switch_choice == choice
    end = store.read_record("r1", "end", "t")
    assert end is not None and end.parents == (parent,)
    assert _artifacts(store, "end", "t")["final"] == final
    if choice == "high":
        assert store.list_tasks("r1", "high") == ["t", "t@1", "t@2"]
        second = store.read_record("r1", "high", "t@1")
        assert second is not None and second.parents == ("high/t",)
        assert second.switch_choice == "again"


def test_catch_on_the_last_attempt(tmp_path: Path) -> None:
    code_dir, ds, store = _setup(tmp_path, "shim_catch")
    assert run_shim("start", datastore=ds, code_dir=code_dir).code == 0
    first = run_shim("risky", datastore=ds, code_dir=code_dir)
    assert first.code == 1  # @retry(times=1): the first attempt fails so it is retried
    assert "attempt 0 of 1; @catch applies to the last" in first.last_error_line
    last = run_shim("risky", datastore=ds, code_dir=code_dir, retry_count=1)
    assert last.code == 0, last.stderr
    assert "ValueError: boom" in last.stderr
    record = store.read_record("r1", "risky", "t")
    assert record is not None and record.status == "caught" and record.attempt == 1
    failure = _artifacts(store, "risky", "t")["failure"]
    assert (failure.type, failure.message) == ("ValueError", "boom")  # type: ignore[attr-defined]
    assert "raise ValueError" in failure.traceback  # type: ignore[attr-defined]
    assert "shim_catch.py" in failure.traceback.splitlines()[1]  # type: ignore[attr-defined]
    assert "flowc.runtime_shim" not in failure.traceback  # type: ignore[attr-defined]
    for step in ("after", "end"):
        result = run_shim(step, datastore=ds, code_dir=code_dir)
        assert result.code == 0, result.stderr
    assert _artifacts(store, "end", "t")["summary"] == (
        "ValueError: boom", None, "set before the error")


def test_merge_artifacts_conflict_and_resolution(tmp_path: Path) -> None:
    code_dir, ds, store = _setup(tmp_path, "shim_merge")
    for run_id, resolve in (("conflict", "false"), ("resolved", "true")):
        for step in ("start", "left", "right"):
            params = (f"resolve={resolve}",) if step == "start" else ()
            done = run_shim(step, datastore=ds, code_dir=code_dir, run_id=run_id, params=params)
            assert done.code == 0, done.stderr
    conflict = run_shim("join", datastore=ds, code_dir=code_dir, run_id="conflict")
    assert conflict.code == 1
    assert ("merge_artifacts in step 'join': artifact 'value' (left/t vs right/t) has "
            "different values") in conflict.last_error_line
    resolved = run_shim("join", datastore=ds, code_dir=code_dir, run_id="resolved")
    assert resolved.code == 0, resolved.stderr
    joined = _artifacts(store, "join", "t", run_id="resolved")
    assert (joined["from_left"], joined["from_right"], joined["steps"]) == ("L", "R", ["L", "R"])
    # read (not changed) in both branches: the same reference, so no conflict
    assert joined["words"] == {f"word{i}" for i in range(32)} and joined["right_count"] == 32
    assert run_shim("end", datastore=ds, code_dir=code_dir, run_id="resolved").code == 0
    assert _artifacts(store, "end", "t", run_id="resolved")["seen"] == (
        "both", {"same": 1}, True, True)


def test_flow_written_for_metaflow(tmp_path: Path) -> None:
    code_dir, ds, store = _setup(tmp_path, "shim_metaflow")
    checked = compile_flow(FLOWS / "shim_metaflow.py", code_dir)
    run_whole_flow(checked, code_dir, ds, params=("n=3",))
    assert _artifacts(store, "start", "t")["values"] == [0, 1, 2]
    assert _artifacts(store, "start", "t")["where"] == "start"
    assert _artifacts(store, "end", "t")["alias"] is True


def test_running_the_flow_file_prints_a_hint() -> None:
    done = subprocess.run([sys.executable, str(FLOWS / "shim_foreach.py")], cwd=REPO,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0
    assert "ShimForeachFlow is a flowc flow: run it with `flowc run" in done.stdout


@pytest.mark.parametrize("example", sorted(p.name for p in (REPO / "examples").glob("*.py")))
def test_every_example_runs_through_the_shim(tmp_path: Path, example: str) -> None:
    checked = compile_flow(REPO / "examples" / example, tmp_path / "code")
    (tmp_path / "ds").mkdir()
    done = run_whole_flow(checked, tmp_path / "code", tmp_path / "ds")
    assert done[checked.graph.end or "end"], "the end step did not run"


def test_code_that_differs_from_the_ir(tmp_path: Path) -> None:
    code_dir, ds, store = _setup(tmp_path, "shim_errors")
    source = code_dir / "shim_errors.py"
    source.write_text(source.read_text().replace("def end(self):", "def finish(self):"))
    result = run_shim("end", datastore=ds, code_dir=code_dir)
    assert result.code == 3
    assert "has no step method 'end'" in result.last_error_line
    source.write_text(source.read_text().replace("class ShimErrorsFlow", "class Renamed"))
    result = run_shim("start", datastore=ds, code_dir=code_dir, params=("who=me",))
    assert result.code == 3 and "does not define a FlowSpec class" in result.last_error_line
    source.write_text("raise ImportError('broken module')\n")
    result = run_shim("start", datastore=ds, code_dir=code_dir, params=("who=me",))
    assert result.code == 1
    assert "importing shim_errors.py raised ImportError: broken module" in result.last_error_line
    assert "broken module" in store.get_log("r1", "start", "t", 0, "stderr")


@pytest.mark.parametrize("last", [0, 1, 2, 5, 8, 13])
def test_latest_iteration_of_a_loop(tmp_path: Path, last: int) -> None:
    from flowc.runtime_shim.identity import task_id
    from flowc.runtime_shim.lineage import RecordReader
    from flowc.runtime_shim.records import TaskRecord

    store = TaskStore(LocalDatastore(tmp_path), "LoopFlow")
    for iteration in range(last + 1):
        store.write_record(TaskRecord(flow="LoopFlow", run_id="r1", step="loop",
                                      task_id=task_id((), iteration), iteration=iteration))
    reader = RecordReader(store, "r1")
    found = reader.latest("loop", ())
    assert found is not None and found.iteration == last
    assert len(reader._cache) <= 2 * (last + 1).bit_length() + 3  # probes, not a scan
    assert RecordReader(store, "r1").latest("other", ()) is None


def test_flow_instantiated_at_module_level(tmp_path: Path) -> None:
    code_dir, ds, _ = _setup(tmp_path, "shim_switch")
    source = code_dir / "shim_switch.py"
    source.write_text(source.read_text() + "\nShimSwitchFlow()  # no __main__ guard\n")
    result = run_shim("start", datastore=ds, code_dir=code_dir)
    assert result.code == 0, result.stderr
    assert result.outputs["switch_choice"] == "high"
    # the step the case leads to, which orchestrators match on (never the user's key)
    assert result.outputs["switch_target"] == "high"


def test_logs_do_not_wait_for_a_process_that_outlives_the_task(tmp_path: Path) -> None:
    """A background process holding the task's stdout/stderr must not hold up the task.

    The pumps used to read until end of file, i.e. until the background process exited or a
    5 s timeout per stream passed; now they read what is buffered and stop.
    """
    from flowc.runtime_shim.logs import TaskLogs

    ready = tmp_path / "ready"
    script = ("import os, sys, time\nprint('from the background', flush=True)\n"
              f"open({str(ready)!r}, 'w').close()\nsys.stdin.read()\n")
    logs = TaskLogs(tmp_path / "logs", echo=False)
    with logs:
        background = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert background.poll() is None, "the background process died"
            assert time.monotonic() < deadline, "the background process never got ready"
            time.sleep(0.01)
        pumps = list(logs._pumps)
        logs.stop()
    try:
        assert not any(pump.is_alive() for pump in pumps)
        assert background.poll() is None  # it is still running, holding the write ends
        assert b"from the background" in logs.read()[0]
    finally:
        assert background.stdin is not None
        background.stdin.close()
        background.wait()
        logs.close()


@pytest.mark.parametrize("mode", ["plain", "wrap", "swallow"])
def test_a_corrupt_artifact_read_by_the_step_is_an_infrastructure_error(
        tmp_path: Path, mode: str) -> None:
    """The blob is read lazily inside the user's code: it used to be 'user error: step raised
    IntegrityError' (exit 1) and, under @catch, a caught exception with a record. It stays
    infrastructure when the user's code raises another exception from it (`raise ... from
    None` still sets the context), not when the code handled it and failed for another reason."""
    code_dir, ds, store = _setup(tmp_path, "shim_corrupt")
    assert run_shim("start", datastore=ds, code_dir=code_dir, params=(f"mode={mode}",)).code == 0
    record = store.read_record("r1", "start", "t")
    assert record is not None
    digest = record.artifacts["numbers"].hash
    blob = ds / "ShimCorruptFlow" / "blobs" / digest[:2] / digest
    data = bytearray(blob.read_bytes())
    data[-3] ^= 0xFF
    blob.chmod(0o644)
    blob.write_bytes(bytes(data))
    end = run_shim("end", datastore=ds, code_dir=code_dir)
    if mode == "swallow":  # an ordinary failure of the user's code, caught by @catch
        assert end.code == 0, end.stderr
        caught = store.read_record("r1", "end", "t")
        assert caught is not None and caught.status == "caught"
        failure = store.load_artifact(caught.artifacts["failure"])
        assert (failure.type, failure.message) == ("ValueError", "unrelated")
        return
    assert end.code == 3, end.stderr
    assert "infrastructure error: step 'end' could not read an artifact" in end.last_error_line
    assert f"blob {digest}" in end.last_error_line and "is corrupt" in end.last_error_line
    assert store.read_record("r1", "end", "t") is None


def test_stdout_is_only_the_outputs_line_even_after_the_step(tmp_path: Path) -> None:
    """A thread the step started and an atexit handler print after the task is done: that
    used to land on the shim's stdout next to the outputs JSON (the local runner then failed
    the task with 'malformed outputs JSON'); now it goes to stderr."""
    code_dir, ds, _ = _setup(tmp_path, "shim_leftovers")
    result = run_shim("start", datastore=ds, code_dir=code_dir)
    assert result.code == 0, result.stderr
    assert result.outputs["task_id"] == "t"  # exactly one line
    for noise in ("thread noise", "thread fd noise", "atexit noise"):
        assert noise in result.stderr
    assert "record never appeared" not in result.stderr  # the thread printed after the task


def test_keyboard_interrupt_in_the_step(tmp_path: Path) -> None:
    """It escaped the shim as a bare traceback through the shim's frames (no one-line reason
    last, an empty stored stderr log)."""
    code_dir, ds, store = _setup(tmp_path, "shim_errors")
    result = run_shim("start", datastore=ds, code_dir=code_dir,
                      params=("who=me", "mode=interrupt"))
    assert result.code == 130 and result.stdout == ""
    assert result.last_error_line == (
        "flowc: r1/start/t: interrupted (KeyboardInterrupt): the task did not finish")
    assert "flowc.runtime_shim" not in result.stderr
    assert "raise KeyboardInterrupt" in store.get_log("r1", "start", "t", 0, "stderr")
    assert store.read_record("r1", "start", "t") is None


def test_a_resumed_task_clones_its_origin_record(tmp_path: Path) -> None:
    """--origin-run-id/--reuse-steps (resume on an orchestrator): a task of a reused step with
    a record in the origin run is one record write pointing at the same blobs, and the flow's
    code never runs; a task without an origin record, or of a step not reused, runs."""
    code_dir, ds, store = _setup(tmp_path, "shim_foreach")
    assert run_shim("start", datastore=ds, code_dir=code_dir, params=("scale=3",)).code == 0
    assert run_shim("body", datastore=ds, code_dir=code_dir, index_path=(1,)).code == 0
    reuse = ("--origin-run-id", "r1", "--reuse-steps", "start,body")

    start = run_shim("start", datastore=ds, code_dir=code_dir, run_id="r2", extra=reuse)
    assert start.code == 0, start.stderr
    assert "reused ShimForeachFlow/r1/start/t: it finished in the origin run" in start.stderr
    assert "start says hello" not in start.stderr  # the step's code did not run
    origin, clone = store.read_record("r1", "start", "t"), store.read_record("r2", "start", "t")
    assert origin is not None and clone is not None
    assert clone.run_id == "r2" and clone.artifacts == origin.artifacts
    assert start.outputs["foreach_cardinality"] == 3
    assert (ds / "ShimForeachFlow/runs/r2/start/t/outputs.json").exists()

    cloned = run_shim("body", datastore=ds, code_dir=code_dir, run_id="r2", index_path=(1,),
                      extra=reuse)
    ran = run_shim("body", datastore=ds, code_dir=code_dir, run_id="r2", index_path=(0,),
                   extra=reuse)
    assert "it finished in the origin run" in cloned.stderr
    assert ran.code == 0 and "origin run" not in ran.stderr  # no origin record: it runs
    not_reused = run_shim("body", datastore=ds, code_dir=code_dir, run_id="r2", index_path=(2,),
                          extra=("--origin-run-id", "r1", "--reuse-steps", "start"))
    assert not_reused.code == 0 and "origin run" not in not_reused.stderr
