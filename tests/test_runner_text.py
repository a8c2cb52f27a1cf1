"""What the local runner prints: counts are pluralised (`1 task`, `1 child`), and the shim
names the user's own flow file in tracebacks only when it holds the code that runs."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from flowc.compiler import check_file
from flowc.runtime_shim import loader
from flowc.runtime_shim.records import TaskRecord
from flowc.targets.local.plan import RunResult, TaskKey
from flowc.targets.local.progress import Progress, counted
from flowc.targets.local.report import task_lines


def _summary(done: int, reused: int) -> list[str]:
    lines: list[str] = []
    progress = Progress(lambda text, _nl: lines.append(text), ("start", "end"), tty=False)
    progress.summary("F", RunResult(run_id="r", ok=True, tasks_done=done, tasks_reused=reused,
                                    failures=(), seconds=0.25))
    return lines


@pytest.mark.parametrize(("done", "text"), [(1, ": 1 task in"), (2, ": 2 tasks in"),
                                            (0, ": 0 tasks in")])
def test_run_summary_pluralises(done: int, text: str) -> None:
    assert text in _summary(done, 0)[0]


def test_counted_nouns() -> None:
    assert [counted(n, "child", "children") for n in (0, 1, 2)] == [
        "0 children", "1 child", "2 children"]


def test_a_foreach_of_one_child(tmp_path: Path) -> None:
    record = TaskRecord(flow="F", run_id="r", step="start", task_id=TaskKey("start").task_id,
                        foreach_cardinality=1)
    assert "  foreach: 1 child" in list(task_lines(None, record))  # type: ignore[arg-type]


FLOW = '''from flowc import FlowSpec, step


class TraceFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


def fails():
    raise ValueError("from the flow file")
'''


@pytest.fixture
def packaged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    """(the user's flow file, the packaged code directory holding a copy of it)."""
    user = tmp_path / "user" / "trace_flow.py"
    user.parent.mkdir()
    user.write_text(FLOW)
    code = tmp_path / "cache"
    code.mkdir()
    (code / user.name).write_text(FLOW)
    monkeypatch.setenv(loader.SOURCE_FILE_ENV, str(user))
    monkeypatch.setattr(sys, "path", list(sys.path))
    yield user, code
    sys.modules.pop(loader.module_name(user.name), None)


def _raised_in(user: Path, code: Path) -> str:
    flow = check_file(code / user.name, root=code).flow
    assert flow is not None
    module = loader.import_flow_module(code, flow)
    with pytest.raises(ValueError) as caught:
        module.fails()
    return "".join(traceback.format_exception(caught.value))


def test_the_traceback_names_the_users_file(packaged: tuple[Path, Path]) -> None:
    user, code = packaged
    text = _raised_in(user, code)
    line = FLOW.splitlines().index('    raise ValueError("from the flow file")') + 1
    assert f'File "{user}", line {line}, in fails' in text
    assert 'raise ValueError("from the flow file")' in text
    assert str(code) not in text


def test_an_edited_user_file_is_not_named(packaged: tuple[Path, Path]) -> None:
    """The user's file no longer holds the code that ran: its lines would lie."""
    user, code = packaged
    user.write_text("# edited since\n" + FLOW)
    assert f'File "{code / user.name}"' in _raised_in(user, code)
