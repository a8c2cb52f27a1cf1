"""`flowc check` and `flowc inspect`: output streams, formats, exit codes, suggestions, speed.

Most cases go through click's CliRunner (stdout and stderr apart); the exit codes are also
checked once through a real `.venv/bin/flowc` process, as a user or CI job sees them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from flowc.compiler import check_file, ir

from flowc.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
FLOWC = str(Path(sys.executable).with_name("flowc"))

UNREACHABLE = '''\
from flowc import FlowSpec, step


class BrokenFlow(FlowSpec):
    """A step that nothing leads to."""

    @step
    def start(self):
        self.next(self.end)

    @step
    def orphan(self):
        self.next(self.end)

    @step
    def end(self):
        pass
'''

TWO_FLOWS = '''\
from flowc import FlowSpec, step


class FirstFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


class SecondFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
'''


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory holding a broken flow, a two-flow file and a non-UTF-8 file."""
    (tmp_path / "broken.py").write_text(UNREACHABLE)
    (tmp_path / "two.py").write_text(TWO_FLOWS)
    (tmp_path / "latin.py").write_bytes(b'x = "\xff"\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def flowc(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_all_examples_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = flowc("check", *(str(p.relative_to(ROOT)) for p in EXAMPLES))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "All checks passed.\n")


def test_a_folder_means_its_python_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = flowc("check", "examples", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_errors_concise(workdir: Path) -> None:
    result = flowc("check", "broken.py")
    assert result.exit_code == 1
    assert result.stdout == (
        "broken.py:12:9: error[FLC104] step 'orphan' is not reachable from 'start'\n"
    )
    assert result.stderr == "Found 1 error in 1 file.\n"


def test_a_file_named_twice_is_checked_once(workdir: Path) -> None:
    result = flowc("check", "broken.py", ".", "./broken.py")
    assert result.stdout.count("broken.py:12:9:") == 1


def test_errors_full(workdir: Path) -> None:
    result = flowc("check", "broken.py", "--format", "full")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:5] == [
        "error[FLC104]: step 'orphan' is not reachable from 'start'",
        "  --> broken.py:12:9",
        "   |",
        "12 |     def orphan(self):",
        "   |         ^^^^^^",
    ]


def test_errors_json(workdir: Path) -> None:
    result = flowc("check", "broken.py", "two.py", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [(d["path"], d["line"], d["col"], d["code"]) for d in data] == [
        ("broken.py", 12, 9, "FLC104"),
        ("two.py", 14, 7, "FLC003"),
    ]
    keys = ["code", "name", "severity", "message", "help", "path", "line", "col", "end_line",
            "end_col"]
    assert all(list(d) == keys for d in data)
    assert result.stderr == "Found 2 errors in 2 files.\n"


def test_flow_option(workdir: Path) -> None:
    assert flowc("check", "two.py", "--flow", "SecondFlow").exit_code == 0
    unknown = flowc("check", "two.py", "--flow", "SecondFlw")
    assert unknown.exit_code == 1
    assert unknown.stdout.startswith("two.py:1:1: error[FLC004] no flow named 'SecondFlw'")


def test_missing_file_is_one_line_and_exit_2(workdir: Path) -> None:
    result = flowc("check", "broken.py", "nope.py")
    assert result.exit_code == 2
    assert (result.stdout, result.stderr) == (
        "", "flowc: error: no such file or directory: nope.py\n")


def test_a_folder_without_python_files_is_exit_2(workdir: Path) -> None:
    (workdir / "empty").mkdir()
    result = flowc("check", "empty")
    assert (result.exit_code, result.stderr) == (
        2, "flowc: error: no Python files found in: empty\n")


def test_unreadable_file_is_a_diagnostic_and_exit_2(workdir: Path) -> None:
    result = flowc("check", "latin.py", "broken.py")
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert lines[0].startswith("latin.py:1:1: error[FLC005] cannot read 'latin.py'")
    assert lines[1].startswith("broken.py:12:9: error[FLC104]")


@pytest.mark.parametrize(
    ("args", "suggestion"),
    [
        (["check", "x.py", "--format", "jsn"], "Did you mean 'json'?"),
        (["check", "x.py", "--format", "ful"], "Did you mean 'full'?"),
        (["inspect", "x.py", "--format", "mermid"], "Did you mean 'mermaid'?"),
        (["inspect", "x.py", "--format", "YAML"], "Did you mean 'yaml'?"),
    ],
)
def test_unknown_format_suggests(args: list[str], suggestion: str) -> None:
    result = flowc(*args)
    assert result.exit_code == 2
    assert suggestion in result.stderr
    assert "is not one of" in result.stderr


def test_unknown_format_without_close_match() -> None:
    result = flowc("check", "x.py", "--format", "xml")
    assert result.exit_code == 2
    assert "'xml' is not one of 'concise', 'full', 'json'." in result.stderr
    assert "Did you mean" not in result.stderr


@pytest.mark.parametrize("example", ["hello", "switch_loop", "decorators"])
def test_inspect_json_is_the_ir(example: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = flowc("inspect", f"examples/{example}.py")
    assert result.exit_code == 0
    checked = check_file(ROOT / "examples" / f"{example}.py", root=ROOT).checked
    assert checked is not None
    assert result.stdout == ir.dumps(checked.flow)
    assert result.stdout == (ROOT / "golden" / example / "ir.json").read_text(encoding="utf-8")
    as_yaml = flowc("inspect", f"examples/{example}.py", "--format", "yaml")
    assert yaml.safe_load(as_yaml.stdout) == json.loads(result.stdout)


def test_inspect_pictures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    mermaid = flowc("inspect", "examples/foreach.py", "--format", "mermaid").stdout
    assert mermaid.splitlines()[0] == "flowchart TD"
    assert '    step_start -->|"foreach words"| step_measure' in mermaid
    dot = flowc("inspect", "examples/switch.py", "--format", "dot").stdout
    assert dot.startswith('digraph "SwitchFlow" {\n')
    assert '    "start" -> "relax" [label="band = mild"];' in dot


def test_inspect_invalid_flow(workdir: Path) -> None:
    result = flowc("inspect", "broken.py")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        "broken.py:12:9: error[FLC104] step 'orphan' is not reachable from 'start'",
        "Found 1 error in 1 file.",
    ]
    assert flowc("inspect", "nope.py").exit_code == 2
    assert flowc("inspect", "latin.py").exit_code == 2


def test_help_does_not_import_the_compiler() -> None:
    code = (
        "import sys, flowc.cli\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('compiler', 'libcst', 'yaml')]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_real_process_exit_codes(workdir: Path) -> None:
    def status(*args: str) -> int:
        return subprocess.run([FLOWC, *args], capture_output=True, check=False).returncode

    examples = [str(p) for p in EXAMPLES]
    assert status("check", *examples) == 0
    assert status("check", "broken.py") == 1
    assert status("check", "nope.py") == 2
    assert status("check", "latin.py") == 2
    assert status("check", "broken.py", "--format", "jsn") == 2


def test_a_folder_with_a_link_loop_a_py_folder_and_a_fifo(tmp_path: Path) -> None:
    """A symbolic link loop named *.py was a RuntimeError traceback (Path.resolve); a folder
    named x.py is no source file; a FIFO named f.py made `check` block forever on read."""
    folder = tmp_path / "flows"
    folder.mkdir()
    (folder / "broken.py").write_text(UNREACHABLE)
    (folder / "self.py").symlink_to("self.py")
    (folder / "pkg.py").mkdir()
    fifo = folder / "pipe.py"
    os.mkfifo(fifo)
    process = subprocess.run([FLOWC, "check", "flows"], cwd=tmp_path, capture_output=True,
                             text=True, timeout=60)
    assert "Traceback" not in process.stderr
    assert process.returncode == 2
    assert process.stdout.splitlines() == [
        "flows/broken.py:12:9: error[FLC104] step 'orphan' is not reachable from 'start'",
        "flows/self.py:1:1: error[FLC005] cannot read 'flows/self.py': it is a symbolic link "
        "loop (to 'self.py')",
    ]


def test_a_link_loop_named_on_the_command_line(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "self.py").symlink_to("self.py")
    monkeypatch.chdir(tmp_path)
    for command in ("check", "inspect"):
        result = flowc(command, "self.py")
        assert result.exit_code == 2
        assert result.stderr == "flowc: error: self.py is a symbolic link loop (to 'self.py')\n"


SURROGATES = '''\
from flowc import FlowSpec, Parameter, step


class Lone(FlowSpec):
    """Doc \\ud800 here."""

    p = Parameter("p", default="\\udfff" + "x")
    q = Parameter("q", default=f"\\ud800")

    @my_deco(arg="\\udc00")
    @step
    def start(self):
        """Step \\udbff."""
        self.next(self.end)

    @step
    def end(self):
        pass
'''


def test_lone_surrogate_escapes_never_reach_the_output(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """`"\\ud800"` is a valid Python string no UTF-8 stream can carry: check and every
    inspect format crashed with UnicodeEncodeError. Such a string is not static (kept as its
    source text); a docstring keeps the escape; a switch key with one is FLC015."""
    (tmp_path / "lone.py").write_text(SURROGATES)
    (tmp_path / "key.py").write_text(SURROGATES.replace(
        "self.next(self.end)\n\n    @step\n    def end",
        'self.next({"\\ud800": self.end, "b": self.end}, condition="p")\n\n'
        "    @step\n    def end", 1))
    monkeypatch.chdir(tmp_path)
    for fmt in ("json", "yaml", "mermaid", "dot"):
        result = CliRunner().invoke(main, ["inspect", "lone.py", "--format", fmt])
        assert result.exit_code == 0, (fmt, result.output, result.exception)
    flow = ir.loads(flowc("inspect", "lone.py").stdout)
    assert flow.doc == "Doc \\ud800 here."
    assert [p.default.is_literal for p in flow.parameters if p.default] == [False, False]
    for fmt in ("concise", "full", "json"):
        result = CliRunner().invoke(main, ["check", "key.py", "--format", fmt])
        assert result.exit_code == 1, (fmt, result.output, result.exception)
        assert "FLC015" in result.stdout
