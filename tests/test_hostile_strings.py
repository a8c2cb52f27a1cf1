"""examples/hostile_strings.py: quotes, newlines, braces, $(...), backslashes and non-ASCII in
parameter defaults, help, environment values and switch keys stay data: the run takes the
branch the key names and every value arrives byte for byte (locally here; through each
target's own executor in that target's tests)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from flowc.client import Flow

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "hostile_strings.py"
FLOWC = str(Path(sys.executable).with_name("flowc"))


def constant(name: str) -> str:
    """A module-level string of the example, read as the compiler reads it."""
    for node in ast.parse(EXAMPLE.read_text()).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            return str(ast.literal_eval(node.value))
    raise KeyError(name)


def expected_artifacts() -> dict[str, str]:
    weird = constant("WEIRD")
    label = "naïve: 'single' & \"double\" \\ % {braces}"
    return {"echo": f"{weird}|{label}", "kind": "{{weird}} key"}


@pytest.mark.slow
def test_hostile_strings_survive_a_local_run(tmp_path: Path) -> None:
    (tmp_path / "ds").mkdir()
    done = subprocess.run([FLOWC, "run", str(EXAMPLE), "--datastore", str(tmp_path / "ds")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    run = Flow("HostileStringsFlow", datastore=str(tmp_path / "ds")).latest_run
    assert run is not None and run.successful
    expected = expected_artifacts()
    assert run["end"].task.data.echo == expected["echo"]  # type: ignore[index]
    start = run["start"].task.data  # type: ignore[index]
    assert start.kind == expected["kind"]
