"""`flowc config FILE [--target T] [--set k=v] [--format json]`: the resolved settings, each
with where it came from, and one-line errors (exit 2) for everything a user can get wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from flowc.cli import main


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "flow.py").write_text("")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.flowc]\nimage = "python:3.11"\n[tool.flowc.local]\ndatastore = "s3://bucket/runs"\n')
    return tmp_path / "flows" / "flow.py"


def _config(*args: str, env: dict[str, str] | None = None):
    environ = {"FLOWC_DATASTORE": None, "FLOWC_IMAGE": None, "FLOWC_LOCAL_DATASTORE": None,
               "FLOWC_LOCAL_IMAGE": None, **(env or {})}
    return CliRunner().invoke(main, ["config", *args], env=environ)


S3_DEFAULT_ROWS = tuple(f"  {name:<18}  (none)            default" for name in (
    "s3_connect_timeout", "s3_read_timeout", "s3_max_attempts", "s3_deadline"))


def test_text_output_is_aligned_with_sources(project: Path) -> None:
    result = _config("flows/flow.py", "--target", "local", "--set", "image=slim",
                     env={"FLOWC_DATASTORE": "/ignored"})
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "settings for target local",
        "  datastore           s3://bucket/runs  pyproject.toml [tool.flowc.local]",
        "  image               slim              command line",
        *S3_DEFAULT_ROWS,
    ]
    common = _config("flows/flow.py", env={"FLOWC_DATASTORE": "/from/env"})
    assert common.output.splitlines() == [
        "common settings (no --target)",
        "  datastore           /from/env    env FLOWC_DATASTORE",
        "  image               python:3.11  pyproject.toml [tool.flowc]",
        *(row.replace("(none)            ", "(none)       ") for row in S3_DEFAULT_ROWS),
    ]


def test_json_output(project: Path) -> None:
    (project.parent.parent / "pyproject.toml").write_text("[tool.flowc]\n")
    result = _config("flows/flow.py", "-t", "local", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"target": "local", "settings": {
        "datastore": {"value": None, "source": "default"},
        "image": {"value": None, "source": "default"},
        **{name: {"value": None, "source": "default"} for name in (
            "s3_connect_timeout", "s3_read_timeout", "s3_max_attempts", "s3_deadline")}}}


@pytest.mark.parametrize(("args", "env", "message"), [
    (("flows/nope.py",), {}, "no such flow file: flows/nope.py"),
    (("flows/flow.py", "-t", "lcoal"), {}, "unknown target 'lcoal'; did you mean 'local'?"),
    (("flows/flow.py", "--set", "image"), {}, "--set expects KEY=VALUE, got 'image'"),
    (("flows/flow.py", "--set", "imgae=x"), {}, "unknown setting 'imgae' given with --set; "
                                                "did you mean 'image'?"),
    (("flows/flow.py", "-t", "local"), {"FLOWC_LOCAL_IMAEG": "x"},
     "unknown setting 'imaeg' in the environment variable FLOWC_LOCAL_IMAEG; "
     "did you mean 'image'?"),
])
def test_errors_are_one_line_exit_2(project: Path, args: tuple[str, ...], env: dict[str, str],
                                    message: str) -> None:
    result = _config(*args, env=env)
    assert result.exit_code == 2
    assert result.output.splitlines() == [f"flowc: error: {message}"]


def test_an_unknown_key_in_pyproject(project: Path) -> None:
    (project.parent.parent / "pyproject.toml").write_text('[tool.flowc]\ndatastor = "x"\n')
    result = _config("flows/flow.py")
    assert result.exit_code == 2
    assert result.output == ("flowc: error: unknown setting 'datastor' in pyproject.toml "
                             "[tool.flowc]; did you mean 'datastore'?\n")
