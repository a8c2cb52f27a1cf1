"""Step Functions' limits: a 2,000-step flow of each generated shape compiles in under a
second and stays under the 1 MB definition quota, or is FLC305 (no file written)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flowc.compiler import check_file
from flowc.targets.emit import compile_checked, target_settings
from flowc.targets.sfn import DEFINITION_LIMIT, compact

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import flowgen  # noqa: E402

# Settings as long as real ones: they are written once, so they do not count per state.
SETTINGS = {"datastore": "s3://flowc-datastore-123456789012/production/flows",
            "job_queue": "arn:aws:batch:eu-west-1:123456789012:job-queue/flowc-production",
            "job_definition": "arn:aws:batch:eu-west-1:123456789012:job-definition/flowc:42",
            "code_package": "0" * 64}


def _compile(tmp_path: Path, source: str) -> tuple[float, object]:
    path = tmp_path / "flow.py"
    path.write_text(source)
    checked = check_file(path).checked
    assert checked is not None
    settings = target_settings(("sfn",), path, checked, overrides=SETTINGS, environ={})
    compile_checked(checked, ("sfn",), settings)  # warm: imports are not the compile
    started = time.perf_counter()
    output = compile_checked(checked, ("sfn",), settings)
    return time.perf_counter() - started, output


@pytest.mark.parametrize("shape", flowgen.SHAPES)
def test_a_2000_step_flow_compiles_in_under_a_second_and_fits_or_says_why(
        tmp_path: Path, shape: str) -> None:
    """A 2,000-step chain fits (about 480 bytes a step). A 2,000-way static split or a
    2,000-level foreach nest needs more per step (a branch or a Map around each) and lands
    just over the quota: FLC305 says so, at the flow, in the same time."""
    seconds, output = _compile(tmp_path, flowgen.generate(shape, 2000))
    assert seconds < 1.0, f"{seconds:.2f} s"
    if shape == "chain" or output.ok:  # type: ignore[attr-defined]
        assert output.ok, [d.message for d in output.diagnostics]  # type: ignore[attr-defined]
        definition = json.loads(output.files["sfn.json"])  # type: ignore[attr-defined]
        assert len(compact(definition)) <= DEFINITION_LIMIT
    else:
        codes = {d.code for d in output.diagnostics}  # type: ignore[attr-defined]
        assert codes == {"FLC305"}


def test_a_definition_over_the_quota_is_flc305_and_nothing_is_written(tmp_path: Path) -> None:
    flow = tmp_path / "flow.py"
    flow.write_text(flowgen.chain(3000))
    out = tmp_path / "out"
    done = subprocess.run(
        [str(Path(sys.executable).with_name("flowc")), "compile", str(flow), "-t", "sfn",
         "-o", str(out), *(f"--set={key}={value}" for key, value in SETTINGS.items())],
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "flow.py:4:7: error[FLC305] the state machine of flow 'ChainFlow' is " in done.stderr
    assert "over Step Functions' 1,048,576-byte limit" in done.stderr
    assert not out.exists()
