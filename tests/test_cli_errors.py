"""No traceback reaches a user: every kind of bad input, through the real `flowc` executable.

Each case runs `flowc` as a subprocess (nothing is caught by a test runner) and checks the
documented exit status (1 diagnostics or a failed run, 2 usage or I/O), that no "Traceback"
is printed, that the message is one line naming the problem (or a list of diagnostics with
a code and a location), and that a refused command wrote nothing. The Python client's
errors are checked in-process: an exception is normal there, its message must be clear.
S3 is pointed at 127.0.0.1:9 (nothing listens), so it fails fast and never leaves the host.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from flowc.client import Flow

pytestmark = pytest.mark.slow

FLOWC = str(Path(sys.executable).with_name("flowc"))
DIAGNOSTIC = re.compile(r"^\S+:\d+:\d+: error\[FLC\d{3}\] \S.*$")
DEAD_ENDPOINT = "http://127.0.0.1:9"

HELLO = '''\
from flowc import FlowSpec, step


class HelloFlow(FlowSpec):
    @step
    def start(self):
        self.greeting = "hello"
        self.next(self.end)

    @step
    def end(self):
        print(self.greeting)
'''

PARAMS = '''\
from flowc import FlowSpec, JSONType, Parameter, step


class ParamFlow(FlowSpec):
    count = Parameter("count", default=1, type=int)
    ratio = Parameter("ratio", default=0.5, type=float)
    flag = Parameter("flag", default=False, type=bool)
    config = Parameter("config", default="{}", type=JSONType)
    who = Parameter("who", required=True)

    @step
    def start(self):
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

GRAPH_ERROR = '''\
from flowc import FlowSpec, step


class OrphanFlow(FlowSpec):
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

RAISES = '''\
from flowc import FlowSpec, step


class BoomFlow(FlowSpec):
    @step
    def start(self):
        self.value = 1
        self.next(self.end)

    @step
    def end(self):
        raise ValueError("kaboom in end")
'''

IMPORT_FAILS = '''\
from flowc import FlowSpec, step

raise RuntimeError("module-level failure")


class ImportFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
'''

FILES: dict[str, str | bytes] = {
    "hello.py": HELLO,
    "params.py": PARAMS,
    "two.py": TWO_FLOWS,
    "graph.py": GRAPH_ERROR,
    "raises.py": RAISES,
    "import_fails.py": IMPORT_FAILS,
    "empty.py": "",
    "syntax.py": "def broken(:\n    pass\n",
    "noflow.py": "x = 1\n",
    "binary.py": b"\xff\xfe\x00\x01binary\x80",
}


def flowc(*args: str, cwd: Path, env: dict[str, str] | None = None,
          timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The real executable, with S3 aimed at a closed local port and no inherited datastore."""
    environ = {key: value for key, value in os.environ.items() if key != "FLOWC_DATASTORE"}
    environ.update({
        "AWS_ENDPOINT_URL": DEAD_ENDPOINT,
        "FLOWC_S3_ENDPOINT_URL": DEAD_ENDPOINT,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_RETRY_MODE": "standard",
        **(env or {}),
    })
    return subprocess.run([FLOWC, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=environ)


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr


def one_line_error(result: subprocess.CompletedProcess[str], code: int, *needles: str) -> str:
    """Exit `code`, no traceback, exactly one line on stderr naming the problem; returns it."""
    no_traceback(result)
    assert result.returncode == code, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("flowc: error: "), lines[0]  # the same prefix everywhere
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def usage_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    """A usage error (click's, one line like every other error): exit 2, `flowc: error: ...`
    naming the problem."""
    one_line_error(result, 2, *needles)


def diagnostics(result: subprocess.CompletedProcess[str], code: int, *codes: str) -> None:
    """Exit `code`; the diagnostics (stdout for check, stderr otherwise) are well-formed."""
    no_traceback(result)
    assert result.returncode == code, result.stdout + result.stderr
    text = result.stdout + result.stderr
    found = [line for line in text.splitlines() if DIAGNOSTIC.match(line)]
    assert found, text
    for wanted in codes:
        assert any(f"error[{wanted}]" in line for line in found), text


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The flow files of every case, in one folder."""
    root = tmp_path_factory.mktemp("files")
    for name, content in FILES.items():
        if isinstance(content, bytes):
            (root / name).write_bytes(content)
        else:
            (root / name).write_text(content)
    (root / "emptydir").mkdir()
    return root


@pytest.fixture(scope="module")
def store(files: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A datastore with HelloFlow/ok (succeeded) and BoomFlow/bad (failed)."""
    ds = tmp_path_factory.mktemp("store")
    work = tmp_path_factory.mktemp("work")
    ok = flowc("run", str(files / "hello.py"), "--datastore", str(ds), "--run-id", "ok", cwd=work)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = flowc("run", str(files / "raises.py"), "--datastore", str(ds), "--run-id", "bad",
                cwd=work)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    return ds


@pytest.fixture
def cwd(tmp_path: Path) -> Iterator[Path]:
    """An empty working directory; whatever a refused command left in it fails the test."""
    work = tmp_path / "work"
    work.mkdir()
    yield work
    assert sorted(os.listdir(work)) == [], "a refused command wrote into the working directory"


# -- the flow file: check, inspect and run -------------------------------------------------

FILE_COMMANDS = ("check", "inspect", "run")


@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_missing_file(command: str, files: Path, cwd: Path) -> None:
    line = one_line_error(flowc(command, str(files / "nope.py"), cwd=cwd), 2, "nope.py")
    assert "no such" in line


@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_directory(command: str, files: Path, cwd: Path) -> None:
    result = flowc(command, str(files / "emptydir"), cwd=cwd)
    line = one_line_error(result, 2, "emptydir")
    assert "directory" in line or "no Python files" in line


@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_binary_file_is_unreadable_flc005(command: str, files: Path, cwd: Path) -> None:
    result = flowc(command, str(files / "binary.py"), cwd=cwd)
    diagnostics(result, 2, "FLC005")
    assert "utf-8" in result.stdout + result.stderr


@pytest.mark.parametrize("command", FILE_COMMANDS)
@pytest.mark.parametrize(
    ("name", "args", "code", "needle"),
    [
        ("empty.py", (), "FLC002", "no FlowSpec subclass"),
        ("syntax.py", (), "FLC001", "syntax error"),
        ("noflow.py", (), "FLC002", "no FlowSpec subclass"),
        ("two.py", (), "FLC003", "FirstFlow, SecondFlow"),
        ("two.py", ("--flow", "Nope"), "FLC004", "'Nope'"),
        ("graph.py", (), "FLC104", "'orphan'"),
    ],
    ids=["empty", "syntax", "noflow", "two-flows", "wrong-flow", "graph-error"],
)
def test_flow_errors_are_diagnostics(command: str, name: str, args: tuple[str, ...], code: str,
                                     needle: str, files: Path, cwd: Path) -> None:
    result = flowc(command, str(files / name), *args, cwd=cwd)
    diagnostics(result, 1, code)
    assert needle in result.stdout + result.stderr


@pytest.mark.parametrize("name", ["empty.py", "syntax.py", "two.py", "graph.py", "binary.py"])
def test_every_diagnostic_has_code_location_and_hint(name: str, files: Path, cwd: Path) -> None:
    result = flowc("check", str(files / name), "--format", "json", cwd=cwd)
    no_traceback(result)
    found = json.loads(result.stdout)
    assert found
    for item in found:
        assert re.fullmatch(r"FLC\d{3}", item["code"]) and item["message"]
        assert item["path"] and item["line"] >= 1 and item["col"] >= 1
        assert item["help"], item


def test_check_reports_every_file_of_a_mix(files: Path, cwd: Path) -> None:
    names = [str(files / n) for n in ("hello.py", "syntax.py", "graph.py", "two.py")]
    result = flowc("check", *names, cwd=cwd)
    diagnostics(result, 1, "FLC001", "FLC104", "FLC003")
    assert "hello.py" not in result.stdout
    assert "Found 3 errors in 3 files." in result.stderr
    with_binary = flowc("check", *names, str(files / "binary.py"), cwd=cwd)
    diagnostics(with_binary, 2, "FLC001", "FLC104", "FLC003", "FLC005")


def test_check_refuses_a_missing_path_among_good_ones(files: Path, cwd: Path) -> None:
    result = flowc("check", str(files / "hello.py"), str(files / "gone.py"), cwd=cwd)
    one_line_error(result, 2, "gone.py")


@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_broken_symlink(command: str, files: Path, cwd: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.py"
    link.symlink_to(tmp_path / "gone.py")
    one_line_error(flowc(command, str(link), cwd=cwd), 2, "broken symbolic link", "gone.py")


def test_broken_symlink_inside_a_checked_folder(files: Path, cwd: Path, tmp_path: Path) -> None:
    folder = tmp_path / "flows"
    folder.mkdir()
    (folder / "hello.py").write_text(HELLO)
    (folder / "link.py").symlink_to("gone.py")
    (folder / "sub").mkdir()
    (folder / "sub" / "loop").symlink_to("..")
    result = flowc("check", "flows", cwd=tmp_path)
    diagnostics(result, 2, "FLC005")
    assert "flows/link.py:1:1:" in result.stdout and "broken symbolic link" in result.stdout


@pytest.mark.parametrize("name", ["flow.txt", "noext"])
def test_run_refuses_a_file_that_is_not_py(name: str, cwd: Path, tmp_path: Path) -> None:
    """It would compile, then every task would fail to import it: refused before anything."""
    flow = tmp_path / name
    flow.write_text(HELLO)
    ds = tmp_path / "ds"
    ds.mkdir()
    result = flowc("run", str(flow), "--datastore", str(ds), cwd=cwd)
    one_line_error(result, 2, name, "does not end in .py")
    assert os.listdir(ds) == []


# -- run: parameters, workers, datastore, run id ---------------------------------------------

@pytest.mark.parametrize(
    ("params", "needle"),
    [
        (("who=x", "nope=1"), "unknown parameter 'nope'"),
        (("who=x", "count=abc"), "'abc' is not a valid int"),
        (("who=x", "ratio=abc"), "'abc' is not a valid float"),
        (("who=x", "flag=maybe"), "'maybe' is not a valid bool"),
        (("who=x", "config={bad"), "'{bad' is not a valid json"),
        ((), "missing required parameter 'who'"),
        (("who",), "--param expects NAME=VALUE, got 'who'"),
        (("who=x", "=3"), "got '=3'"),
    ],
    ids=["unknown", "int", "float", "bool", "json", "required", "no-equals", "no-name"],
)
def test_run_bad_param(params: tuple[str, ...], needle: str, files: Path, cwd: Path,
                       tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    ds.mkdir()
    args = [arg for value in params for arg in ("--param", value)]
    result = flowc("run", str(files / "params.py"), "--datastore", str(ds), *args, cwd=cwd)
    one_line_error(result, 2, needle)
    assert os.listdir(ds) == [], "a refused run wrote into the datastore"


def test_run_refuses_a_param_value_over_the_limit(files: Path, cwd: Path,
                                                  tmp_path: Path) -> None:
    """A value that could not travel as a task's argument is refused, naming the limit (the
    1 MB of the issue cannot even reach flowc's own argv: 100 KiB stands for it)."""
    from flowc.commands.run import PARAM_VALUE_MAX_BYTES

    ds = tmp_path / "ds"
    ds.mkdir()
    over = "x" * (PARAM_VALUE_MAX_BYTES + 1)
    for value in (over, "é" * (PARAM_VALUE_MAX_BYTES // 2 + 1), "x" * 100 * 1024):
        result = flowc("run", str(files / "params.py"), "--datastore", str(ds),
                       "--param", f"who={value}", cwd=cwd)
        one_line_error(result, 2, "parameter 'who'", "limited to 64 KiB")
    assert os.listdir(ds) == []
    at_limit = flowc("run", str(files / "params.py"), "--datastore", str(ds),
                     "--param", f"who={over[1:]}", env={"FLOWC_LOCAL_LAUNCHER": "subprocess"},
                     cwd=cwd)
    assert at_limit.returncode == 0, at_limit.stderr


@pytest.mark.parametrize("workers", ["0", "-3", "many"])
def test_run_bad_max_workers(workers: str, files: Path, cwd: Path) -> None:
    usage_error(flowc("run", str(files / "hello.py"), "--max-workers", workers, cwd=cwd),
                "'--max-workers'", workers)


@pytest.mark.parametrize("run_id", ["a/b", "..", "", ".", "has space", "Upper", "a.b", "x" * 31])
def test_run_bad_run_id(run_id: str, files: Path, cwd: Path, tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    ds.mkdir()
    result = flowc("run", str(files / "hello.py"), "--datastore", str(ds), "--run-id", run_id,
                   cwd=cwd)
    one_line_error(result, 2, f"run id {run_id!r}")
    assert os.listdir(ds) == []


def test_run_existing_run_id_is_refused(files: Path, store: Path, cwd: Path) -> None:
    result = flowc("run", str(files / "hello.py"), "--datastore", str(store), "--run-id", "ok",
                   cwd=cwd)
    one_line_error(result, 2, "HelloFlow/ok already exists")


def bad_datastores(files: Path, tmp_path: Path) -> dict[str, tuple[str, str]]:
    """name -> (datastore argument, text the error must contain)."""
    return {
        "missing": (str(tmp_path / "missing"), "does not exist"),
        "file-url-missing": (f"file://{tmp_path}/missing", "does not exist"),
        "a-file": (str(files / "hello.py"), "is not a directory"),
        "empty": ("", "empty datastore URL"),
        "scheme": ("ftp://host/x", "unsupported datastore URL scheme"),
        "s3-no-bucket": ("s3://", "invalid S3 bucket name ''"),
        "s3-unreachable": ("s3://flowc-test-bucket/prefix", "cannot reach S3"),
    }


DATASTORE_CASES = ["missing", "file-url-missing", "a-file", "empty", "scheme", "s3-no-bucket",
                   "s3-unreachable"]


@pytest.mark.parametrize("case", DATASTORE_CASES)
@pytest.mark.parametrize("command", ["run", "runs", "show", "resume"])
def test_bad_datastore(command: str, case: str, files: Path, cwd: Path, tmp_path: Path) -> None:
    url, needle = bad_datastores(files, tmp_path)[case]
    target = {"run": str(files / "hello.py"), "runs": "HelloFlow", "show": "HelloFlow/x",
              "resume": "HelloFlow/x"}[command]
    result = flowc(command, target, "--datastore", url, cwd=cwd)
    one_line_error(result, 3 if case == "s3-unreachable" else 2, needle)  # 3: infrastructure
    assert not (tmp_path / "missing").exists()


def test_run_into_an_unwritable_datastore(files: Path, cwd: Path) -> None:
    """/proc refuses new files even to root: the write error is one line, exit 2."""
    if not Path("/proc").is_dir():
        pytest.skip("no /proc")
    result = flowc("run", str(files / "hello.py"), "--datastore", "/proc", cwd=cwd)
    one_line_error(result, 2, "/proc")


def test_run_into_a_chmod_000_datastore(files: Path, cwd: Path, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        try:
            (locked / "probe").touch()
        except PermissionError:
            pass
        else:
            pytest.skip("running as root: chmod 000 does not stop writes")
        result = flowc("run", str(files / "hello.py"), "--datastore", str(locked), cwd=cwd)
        one_line_error(result, 2, str(locked))
    finally:
        locked.chmod(0o700)


@pytest.mark.parametrize("where", ["store", ".", "nested/store"])
def test_run_refuses_a_datastore_inside_the_flow_directory(where: str, cwd: Path,
                                                           tmp_path: Path) -> None:
    """The flow's directory is its code package: a datastore in it would be packaged into
    itself on every run (doubling each time). `.flowc/` is never packaged, so it is fine."""
    project = tmp_path / "project"
    (project / where).mkdir(parents=True, exist_ok=True)
    (project / "hello.py").write_text(HELLO)
    before = sorted(p.name for p in project.rglob("*"))
    result = flowc("run", str(project / "hello.py"), "--datastore", str(project / where), cwd=cwd)
    one_line_error(result, 2, "inside the flow's directory", ".flowc")
    assert sorted(p.name for p in project.rglob("*")) == before
    (project / ".flowc").mkdir()
    fine = flowc("run", str(project / "hello.py"), "--datastore", str(project / ".flowc"), cwd=cwd)
    assert fine.returncode == 0, fine.stdout + fine.stderr


def test_flowc_datastore_env_pointing_nowhere(files: Path, cwd: Path, tmp_path: Path) -> None:
    env = {"FLOWC_DATASTORE": str(tmp_path / "missing")}
    for args in (("run", str(files / "hello.py")), ("runs",), ("show", "x")):
        one_line_error(flowc(*args, cwd=cwd, env=env), 2, "does not exist")


# -- run-time failures --------------------------------------------------------------------------

def test_step_that_raises(files: Path, cwd: Path, tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    ds.mkdir()
    result = flowc("run", str(files / "raises.py"), "--datastore", str(ds), "--run-id", "r",
                   cwd=cwd)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    # the user's own traceback is echoed, prefixed with the task; nothing else is one
    assert all(line.startswith("  end | ") for line in lines if "Traceback" in line)
    failure = next(line for line in lines if line.strip().startswith("failed: end"))
    assert "ValueError: kaboom in end" in failure
    log = next(line for line in lines if line.strip().startswith("log: ")).split("log: ")[1]
    assert Path(log).is_file() and "kaboom in end" in Path(log).read_text()


def test_flow_module_that_fails_to_import(files: Path, cwd: Path, tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    ds.mkdir()
    result = flowc("run", str(files / "import_fails.py"), "--datastore", str(ds), cwd=cwd)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert all(line.startswith("  start | ") for line in lines if "Traceback" in line)
    failure = next(line for line in lines if line.strip().startswith("failed: start"))
    assert "importing import_fails.py raised RuntimeError: module-level failure" in failure
    assert any(line.strip().startswith("log: ") for line in lines)


def test_import_failure_traceback_shows_only_user_frames(files: Path, cwd: Path,
                                                        tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    ds.mkdir()
    result = flowc("run", str(files / "import_fails.py"), "--datastore", str(ds), cwd=cwd)
    echoed = [line for line in result.stdout.splitlines() if line.startswith("  start | ")]
    assert echoed
    assert not any("flowc.runtime_shim" in line or "<frozen" in line for line in echoed), echoed
    assert any("import_fails.py" in line and "line" in line for line in echoed), echoed
    assert echoed[-1].endswith("RuntimeError: module-level failure"), echoed


# -- resume, runs, show ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("nosuchrun",), "no flow or run named 'nosuchrun'"),
        (("HelloFlow/nosuchrun",), "no run HelloFlow/nosuchrun"),
        (("BoomFlow/ok",), "no run BoomFlow/ok"),
        (("HelloFlow/..",), "run id '..'"),
        (("a//b",), "malformed path 'a//b'"),
        (("bad", "--from", "nostep"), "no step named 'nostep'"),
        (("bad", "gone.py"), "no such flow file"),
        (("BoomFlow/bad/nostep",), "no step named 'nostep'"),
        (("bad/nostep",), "no step named 'nostep'"),
        (("BoomFlow/bad/start/t",), "cannot resume from a task"),
        (("bad/start", "--from", "end"), "names step 'start' but --from names 'end'"),
    ],
    ids=["unknown", "unknown-in-flow", "other-flow", "dotdot", "empty-part", "from", "no-file",
         "step-part", "step-part-short", "task-part", "step-and-from"],
)
def test_resume_refused(args: tuple[str, ...], needle: str, store: Path, files: Path,
                        cwd: Path) -> None:
    before = sorted(os.listdir(store / "BoomFlow" / "runs"))
    result = flowc("resume", *args, "--datastore", str(store), cwd=cwd)
    one_line_error(result, 2, needle)
    assert sorted(os.listdir(store / "BoomFlow" / "runs")) == before


def test_resume_with_a_file_of_another_flow(store: Path, files: Path, cwd: Path) -> None:
    result = flowc("resume", "bad", str(files / "hello.py"), "--datastore", str(store), cwd=cwd)
    diagnostics(result, 1, "FLC004")
    before = sorted(os.listdir(store))
    chosen = flowc("resume", "BoomFlow/bad", str(files / "hello.py"), "--flow", "HelloFlow",
                   "--datastore", str(store), cwd=cwd)
    one_line_error(chosen, 2, "defines HelloFlow, but BoomFlow/bad is a run of BoomFlow")
    assert sorted(os.listdir(store)) == before
    assert sorted(os.listdir(store / "HelloFlow" / "runs")) == ["ok"]


def test_runs_of_a_flow_without_runs_names_the_flows_with_runs(store: Path, cwd: Path,
                                                               tmp_path: Path) -> None:
    result = flowc("runs", "NoSuchFlow", "--datastore", str(store), cwd=cwd)
    one_line_error(result, 2, "no runs of flow 'NoSuchFlow'",
                   "flows with runs: BoomFlow, HelloFlow")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = flowc("runs", "NoSuchFlow", "--datastore", str(empty), cwd=cwd)
    one_line_error(result, 2, "no runs of flow 'NoSuchFlow'", "it has no runs")


def test_runs_on_an_empty_datastore(cwd: Path, tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    ds.mkdir()
    result = flowc("runs", "--datastore", str(ds), cwd=cwd)
    no_traceback(result)
    assert result.returncode == 0 and result.stdout.startswith("no runs in")
    assert os.listdir(ds) == []


def test_runs_without_any_datastore_creates_nothing(cwd: Path) -> None:
    result = flowc("runs", "--datastore", str(cwd / ".flowc"), cwd=cwd)
    one_line_error(result, 2, "does not exist")


@pytest.mark.parametrize("args", [("runs",), ("show", "x"), ("resume", "x")])
def test_reading_commands_do_not_create_the_default_datastore(args: tuple[str, ...],
                                                              cwd: Path) -> None:
    """No `.flowc/` here and none named: one line saying so; the cwd fixture checks that
    nothing was created."""
    one_line_error(flowc(*args, cwd=cwd), 2, "no datastore here", "--datastore")


@pytest.mark.parametrize("args", [(), ("--param", "count=abc"), ("--max-workers", "0")])
def test_refused_run_creates_no_default_datastore(args: tuple[str, ...], files: Path,
                                                  cwd: Path) -> None:
    result = flowc("run", str(files / "params.py"), *args, cwd=cwd)
    no_traceback(result)
    assert result.returncode == 2, result.stdout + result.stderr


@pytest.mark.parametrize("flow", ["a/b", "../x", ".hidden"])
def test_runs_of_an_impossible_flow_name(flow: str, store: Path, cwd: Path) -> None:
    one_line_error(flowc("runs", flow, "--datastore", str(store), cwd=cwd), 2, f"flow {flow!r}")


@pytest.mark.parametrize(
    ("path", "needle"),
    [
        ("Nope/ok", "no flow or run named 'Nope'"),
        ("nosuchrun", "no flow or run named 'nosuchrun'"),
        ("HelloFlow/nosuchrun", "no run HelloFlow/nosuchrun"),
        ("HelloFlow", "'HelloFlow' is a flow"),
        ("ok/nostep", "no finished task of step 'nostep'"),
        ("ok/end/t.7", "no task HelloFlow/ok/end/t.7"),
        ("ok/end/nope", "not a task id: 'nope'"),
        ("HelloFlow/ok/..", "step '..'"),
        ("a//b", "malformed path 'a//b'"),
        ("/x", "malformed path '/x'"),
        ("ok/", "malformed path 'ok/'"),
        ("", "malformed path ''"),
        ("x/y/z/w/v", "got 5 parts"),
        ("ok/end/t/extra", "got 4 parts"),
    ],
)
def test_show_refused(path: str, needle: str, store: Path, cwd: Path) -> None:
    one_line_error(flowc("show", path, "--datastore", str(store), cwd=cwd), 2, needle)


# -- options --------------------------------------------------------------------------------

def test_inspect_unknown_format_lists_the_choices(files: Path, cwd: Path) -> None:
    usage_error(flowc("inspect", str(files / "hello.py"), "--format", "nope", cwd=cwd),
                "'nope' is not one of 'json', 'yaml', 'mermaid', 'dot'")
    usage_error(flowc("inspect", str(files / "hello.py"), "--format", "jsn", cwd=cwd),
                "Did you mean 'json'?")


@pytest.mark.parametrize(
    "args",
    [
        ("check", "x.py", "--nope"),
        ("inspect", "x.py", "--nope"),
        ("run", "x.py", "--nope"),
        ("resume", "x", "--nope"),
        ("runs", "--nope"),
        ("show", "x", "--nope"),
        ("--nope",),
    ],
    ids=lambda args: args[0],
)
def test_unknown_option(args: tuple[str, ...], cwd: Path) -> None:
    usage_error(flowc(*args, cwd=cwd), "No such option", "--nope")


@pytest.mark.parametrize("args", [("bogus",), ("run",), ("show",), ("resume",), ("check",)])
def test_unknown_command_or_missing_argument(args: tuple[str, ...], cwd: Path) -> None:
    usage_error(flowc(*args, cwd=cwd))


@pytest.mark.parametrize(
    ("args", "needle"),
    [(("show", "-x"), "No such option '-x'. (try 'flowc show -h')"),
     (("run", "x.py", "--max-workers", "0"), "'--max-workers': 0 is not in the range x>=1"),
     (("check", "x.py", "--format"), "Option '--format' requires an argument")],
    ids=["show-x", "max-workers-0", "missing-value"],
)
def test_click_usage_errors_are_one_line(args: tuple[str, ...], needle: str, cwd: Path) -> None:
    result = flowc(*args, cwd=cwd)
    assert "Usage:" not in result.stderr and "Try '" not in result.stderr
    usage_error(result, needle)


def test_bare_flowc_still_shows_the_help(cwd: Path) -> None:
    result = flowc(cwd=cwd)
    assert result.returncode == 2 and "Commands:" in result.stderr


# -- the Python client ------------------------------------------------------------------------

def test_client_errors_are_clear(store: Path, tmp_path: Path) -> None:
    from flowc.runtime_shim.datastore import DatastoreError

    with pytest.raises(KeyError) as missing_flow:
        Flow("Nope", datastore=str(store))
    assert str(missing_flow.value).startswith("no flow 'Nope' in ")
    assert "HelloFlow" in str(missing_flow.value)
    flow = Flow("HelloFlow", datastore=str(store))
    with pytest.raises(KeyError, match="no run HelloFlow/nosuchrun"):
        flow["nosuchrun"]
    run = flow["ok"]
    with pytest.raises(KeyError, match="has no step 'nostep'"):
        run["nostep"]
    with pytest.raises(KeyError, match="no task HelloFlow/ok/end/t.7"):
        run["end"]["t.7"]
    with pytest.raises(AttributeError, match="has no artifact 'nope'"):
        _ = run["end"].task.data.nope
    with pytest.raises(KeyError, match="has no artifact 'nope'") as missing_artifact:
        run["end"].task["nope"]
    assert not str(missing_artifact.value).startswith("'")
    with pytest.raises(ValueError, match=r"run id '\.\.' cannot be used"):
        flow[".."]
    with pytest.raises(DatastoreError, match="does not exist"):
        Flow("HelloFlow", datastore=str(tmp_path / "missing"))
    with pytest.raises(KeyError, match="has no step 'end'"):
        _ = Flow("BoomFlow", datastore=str(store))["bad"].data
