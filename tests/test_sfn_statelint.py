"""Every Step Functions definition flowc writes passes `statelint` (the PyPI package, pinned
in the `test` extra): the goldens, and every example again under each setting that changes
the shape (ECS, inline and distributed Maps, an ItemReader).

statelint 3.1 has two known false alarms, worked around here and nowhere else:
- an integer `BackoffRate` ("should be a Float"): flowc always writes a float (1.0, 2.0), so
  nothing is filtered for it; `test_statelint_still_refuses_an_integer_backoff_rate` keeps
  the alarm visible;
- `ReaderConfig.InputType` ("Field "InputType" not allowed"), which Step Functions requires
  for an ItemReader over a JSON file: that one message is filtered.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from flowc.compiler import check_file
from flowc.targets.emit import compile_checked, target_settings

ROOT = Path(__file__).resolve().parent.parent
GOLDENS = sorted((ROOT / "golden").glob("*/sfn.json"))
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
STATELINT = shutil.which("statelint", path=str(Path(sys.executable).parent)) or "statelint"

# The one place statelint 3.1's false alarms are forgiven (see the module docstring).
FALSE_ALARMS = (re.compile(r'^ ?Field "InputType" not allowed in .*\.ItemReader\.ReaderConfig$'),)

VARIANTS = {
    "ecs": {"compute": "ecs", "cluster": "flowc", "task_definition": "flowc:1",
            "subnets": "subnet-1,subnet-2", "security_groups": "sg-1",
            "task_role": "arn:aws:iam::123456789012:role/flowc-task"},
    "inline": {"map_mode": "inline", "max_concurrency": "8"},
    "distributed": {"map_mode": "distributed"},
    "item-reader": {"map_items": "s3"},
}


def statelint(paths: list[Path]) -> dict[str, list[str]]:
    """statelint's complaints per file, less the known false alarms."""
    done = subprocess.run([STATELINT, *map(str, paths)], capture_output=True, text=True,
                          timeout=120)
    complaints: dict[str, list[str]] = {}
    current = str(paths[0]) if len(paths) == 1 else ""
    for line in done.stdout.splitlines() + done.stderr.splitlines():
        if line in map(str, paths):
            current = line
        elif re.fullmatch(r"([0-9]+|One) errors?:", line.strip()) or not line.strip():
            continue
        elif not any(alarm.match(line) for alarm in FALSE_ALARMS):
            complaints.setdefault(current, []).append(line.strip())
    assert done.returncode in (0, 1), done.stderr
    return complaints


def test_every_golden_passes_statelint() -> None:
    assert len(GOLDENS) == len(EXAMPLES), "an example has no golden sfn.json"
    assert statelint(GOLDENS) == {}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_example_passes_statelint_under(variant: str, tmp_path: Path) -> None:
    written = []
    for example in EXAMPLES:
        checked = check_file(example, root=ROOT).checked
        assert checked is not None
        settings = target_settings(("sfn",), example, checked, overrides=VARIANTS[variant],
                                   environ={})
        output = compile_checked(checked, ("sfn",), settings)
        assert output.ok, [d.message for d in output.diagnostics]
        path = tmp_path / f"{example.stem}.json"
        path.write_bytes(output.files["sfn.json"])
        written.append(path)
    assert statelint(written) == {}


def test_statelint_refuses_a_broken_definition(tmp_path: Path) -> None:
    """The check can fail: a dangling Next and a malformed intrinsic are reported."""
    definition = json.loads((ROOT / "golden" / "hello" / "sfn.json").read_text())
    definition["States"]["start"]["Next"] = "nowhere"
    command = definition["States"]["hello"]["Parameters"]["ContainerOverrides"]
    command["Command.$"] = command["Command.$"][:-1]  # an unclosed States.Array(
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(definition))
    complaints = statelint([path])[str(path)]
    assert any("nowhere" in line for line in complaints)
    assert any("Command.$" in line for line in complaints)


def test_statelint_still_refuses_an_integer_backoff_rate(tmp_path: Path) -> None:
    """The first false alarm is real in 3.1: flowc must keep writing floats."""
    definition = json.loads((ROOT / "golden" / "decorators" / "sfn.json").read_text())
    retry = definition["States"]["start"]["Retry"][0]
    assert isinstance(retry["BackoffRate"], float)
    retry["BackoffRate"] = 2
    path = tmp_path / "integer.json"
    path.write_text(json.dumps(definition))
    assert any("BackoffRate" in line for line in statelint([path])[str(path)])
