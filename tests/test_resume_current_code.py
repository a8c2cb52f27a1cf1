"""`flowc resume` runs the flow file as it is now (recorded in run.json, or FILE), refuses a
graph its reused tasks no longer fit, and a failed step's traceback names the user's file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli_errors import one_line_error
from test_local_run import flowc

from flowc.client import Flow

pytestmark = pytest.mark.slow

BROKEN = '''from flowc import FlowSpec, step


class FixFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.prepare)

    @step
    def prepare(self):
        self.value = 21
        self.next(self.middle)

    @step
    def middle(self):
        self.doubled = self.value * 2
        raise RuntimeError("middle is broken")
        self.next(self.end)

    @step
    def end(self):
        print("doubled", self.doubled)
'''
RAISE_LINE = BROKEN.splitlines().index('        raise RuntimeError("middle is broken")') + 1
FIXED = BROKEN.replace('        raise RuntimeError("middle is broken")\n',
                       '        self.fixed = "by the new code"\n')


@pytest.fixture
def failed(tmp_path: Path) -> tuple[Path, Path]:
    """(flow file, datastore) after a run `r1` that failed in `middle`."""
    flow = tmp_path / "src" / "flow.py"
    flow.parent.mkdir()
    flow.write_text(BROKEN)
    ds = tmp_path / "ds"
    ds.mkdir()
    result = flowc("run", str(flow), "--datastore", str(ds), "--run-id", "r1", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    return flow, ds


def _run_json(ds: Path, run_id: str) -> dict[str, object]:
    return dict(json.loads((ds / "FixFlow" / "runs" / run_id / "run.json").read_text()))


def test_a_failed_step_traceback_names_the_users_file(failed: tuple[Path, Path]) -> None:
    flow, ds = failed
    where = f'File "{flow}", line {RAISE_LINE}, in middle'
    log = next((ds / "FixFlow" / "runs" / "r1" / "middle").rglob("stderr.log")).read_text()
    assert where in log, log
    assert 'raise RuntimeError("middle is broken")' in log  # linecache found the user's line
    assert ".cache" not in log
    assert _run_json(ds, "r1")["flow_file"] == str(flow)


def test_resume_runs_the_fixed_file(failed: tuple[Path, Path], tmp_path: Path) -> None:
    flow, ds = failed
    flow.write_text(FIXED)
    resumed = flowc("resume", "r1", "--datastore", str(ds), cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert f"code: {flow}, changed since FixFlow/r1" in resumed.stdout
    assert "start reused" in resumed.stdout and "middle ok" in resumed.stdout
    run = Flow("FixFlow", datastore=str(ds)).latest_run
    assert run is not None and run.successful and run.info.origin_run_id == "r1"
    assert run["middle"].task.data.fixed == "by the new code"
    assert run["end"].task.data.doubled == 42
    # a reused task has its outputs at the contract's key too, as if the shim had run it
    reused = ds / "FixFlow" / "runs" / run.id / "start" / "t" / "outputs.json"
    assert json.loads(reused.read_text())["task_id"] == "t"
    assert _run_json(ds, run.id)["flow_file"] == str(flow)
    assert _run_json(ds, run.id)["code_package"] != _run_json(ds, "r1")["code_package"]
    again = flowc("resume", run.id, "--from", "end", "--datastore", str(ds), cwd=tmp_path)
    assert again.returncode == 0 and f", the same code as FixFlow/{run.id}" in again.stdout


def test_a_file_argument_overrides_the_recorded_path(failed: tuple[Path, Path],
                                                    tmp_path: Path) -> None:
    flow, ds = failed
    other = tmp_path / "elsewhere" / "fixed.py"
    other.parent.mkdir()
    other.write_text(FIXED.replace("by the new code", "by the given file"))
    resumed = flowc("resume", "FixFlow/r1", str(other), "--datastore", str(ds), cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert f"code: {other} (given instead of {flow})" in resumed.stdout
    run = Flow("FixFlow", datastore=str(ds)).latest_run
    assert run is not None and run["middle"].task.data.fixed == "by the given file"
    assert flow.read_text() == BROKEN  # the recorded file was not what ran


def test_a_recorded_file_that_is_gone_says_pass_file(failed: tuple[Path, Path],
                                                     tmp_path: Path) -> None:
    flow, ds = failed
    flow.rename(flow.with_name("moved.py"))
    before = sorted(p.name for p in (ds / "FixFlow" / "runs").iterdir())
    result = flowc("resume", "r1", "--datastore", str(ds), cwd=tmp_path)
    one_line_error(result, 2, str(flow), "no longer exists", "FILE")
    assert sorted(p.name for p in (ds / "FixFlow" / "runs").iterdir()) == before


def test_diagnostics_in_the_current_file_stop_the_resume(failed: tuple[Path, Path],
                                                         tmp_path: Path) -> None:
    flow, ds = failed
    flow.write_text(FIXED.replace("self.next(self.end)", "self.next(self.nowhere)"))
    result = flowc("resume", "r1", "--datastore", str(ds), cwd=tmp_path)
    assert result.returncode == 1 and "error[FLC114]" in result.stderr, result.stderr
    assert sorted(p.name for p in (ds / "FixFlow" / "runs").iterdir()) == ["r1"]


LINEAR_TO_FOREACH = FIXED.replace(
    """        self.value = 21
        self.next(self.middle)""",
    """        self.value = 21
        self.items = [1]
        self.next(self.middle, foreach="items")""").replace(
    """        self.fixed = "by the new code"
        self.next(self.end)""", """        self.fixed = "by the new code"
        self.next(self.join)

    @step
    def join(self, inputs):
        self.doubled = inputs[0].doubled
        self.next(self.end)""")
PREPARE_REMOVED = FIXED.replace("""        self.next(self.prepare)

    @step
    def prepare(self):
        self.value = 21
""", """        self.value = 21
""")


@pytest.mark.parametrize(
    ("source", "needle"),
    [(LINEAR_TO_FOREACH, "step 'prepare' was a linear step in FixFlow/r1 and is now a foreach"),
     (PREPARE_REMOVED, "step 'prepare' finished in FixFlow/r1 and would be reused, but the flow "
                       "no longer has it")],
    ids=["changed-kind", "removed"],
)
def test_a_graph_the_reused_tasks_no_longer_fit_is_refused(
        failed: tuple[Path, Path], tmp_path: Path, source: str, needle: str) -> None:
    flow, ds = failed
    flow.write_text(source)
    result = flowc("resume", "r1", "--datastore", str(ds), cwd=tmp_path)
    one_line_error(result, 2, needle, "--from", "flowc run")
    assert sorted(p.name for p in (ds / "FixFlow" / "runs").iterdir()) == ["r1"]
    rerun = flowc("resume", "r1", "--from", "start", "--datastore", str(ds), cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr  # nothing reused: accepted
