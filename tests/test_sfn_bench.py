"""bench/sfn_compile.py still runs end to end (tiny sizes, Metaflow against moto on 127.0.0.1
for one example; nothing here is timed or compared: the script prints the ratios)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_sfn_compile_bench_runs_against_metaflow() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "sfn_compile.py"), "--only", "hello,switch",
         "--repeat", "1", "--sizes", "8"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = {line.split()[0]: line for line in done.stdout.splitlines() if line.strip()}
    assert "x " in lines["hello"] and "Metaflow refuses" not in lines["hello"]
    assert "Metaflow refuses: Deploying flows with switch" in lines["switch"]
    assert "summary: 1 flows compared" in done.stdout
    assert all(shape in lines for shape in ("chain", "split", "foreach"))
