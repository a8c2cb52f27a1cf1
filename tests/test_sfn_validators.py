"""Every Step Functions golden (`golden/<example>/sfn.json`) passes asl-validator 4 (npm, on
the project-local Node 22), and every example has one. One validator process checks all files.
The validator itself is shown to reject a broken definition, so a pass means something."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sfn.validator import validate_files

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(path.stem for path in (ROOT / "examples").glob("*.py"))
GOLDENS = sorted((ROOT / "golden").glob("*/sfn.json"))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def verdicts() -> dict[Path, list[str]]:
    return validate_files(GOLDENS)


def test_every_example_has_an_sfn_golden() -> None:
    assert [path.parent.name for path in GOLDENS] == EXAMPLES


@pytest.mark.parametrize("golden", GOLDENS, ids=[path.parent.name for path in GOLDENS])
def test_the_golden_passes_asl_validator(golden: Path, verdicts: dict[Path, list[str]]) -> None:
    assert verdicts[golden] == [], "\n".join(verdicts[golden])


def test_asl_validator_rejects_a_broken_definition(tmp_path: Path) -> None:
    good = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    broken = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Missing"}}}
    paths = [tmp_path / "good.json", tmp_path / "broken.json"]
    for path, definition in zip(paths, (good, broken), strict=True):
        path.write_text(json.dumps(definition), encoding="utf-8")
    verdicts = validate_files(paths)
    assert verdicts[paths[0]] == []
    assert any("Missing" in line for line in verdicts[paths[1]]), verdicts[paths[1]]
