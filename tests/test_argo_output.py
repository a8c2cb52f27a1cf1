"""Every compiled Argo document is proven by Argo's own rules before anyone reads it: the
official schema in strict mode (unknown fields rejected) and Argo's reference checks (every
template, `depends` and `{{...}}` resolves). Goldens and a few shapes the examples lack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from argo.references import check_references
from argo.schema import validate_argo

ROOT = Path(__file__).resolve().parent.parent
GOLDENS = sorted(ROOT.glob("golden/*/argo.yaml"))
FLOWC = str(Path(sys.executable).with_name("flowc"))


def documents(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(text) if doc is not None]


@pytest.mark.parametrize("golden", GOLDENS, ids=[path.parent.name for path in GOLDENS])
def test_every_golden_passes_the_strict_schema_and_the_reference_checks(golden: Path) -> None:
    found = documents(golden.read_text())
    assert found[0]["kind"] == "WorkflowTemplate"
    for document in found:
        validate_argo(document)
        assert check_references(document) == [], document["kind"]


def test_every_example_has_an_argo_golden() -> None:
    assert {p.parent.name for p in GOLDENS} == {p.stem for p in (ROOT / "examples").glob("*.py")}


@pytest.mark.parametrize("flow", ["tests/runner_flows/retry_once.py",
                                  "tests/runner_flows/wide_foreach.py",
                                  "tests/graphs/loops.py"])
def test_other_shapes_validate_too(flow: str) -> None:
    done = subprocess.run([FLOWC, "compile", flow, "--target", "argo", "--set", "image=i",
                           "--set", "datastore=s3://b/p"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    for document in documents(done.stdout):
        validate_argo(document)
        assert check_references(document) == []


def test_the_schema_check_can_fail() -> None:
    document = documents((ROOT / "golden/hello/argo.yaml").read_text())[0]
    document["spec"]["templates"][0]["dag"]["tasks"][0]["bogus"] = True
    with pytest.raises(Exception, match="bogus"):
        validate_argo(document)
    document = documents((ROOT / "golden/hello/argo.yaml").read_text())[0]
    document["spec"]["templates"][0]["dag"]["tasks"][1]["depends"] = "nowhere"
    assert check_references(document)
