"""The bench/ scripts still run end to end (tiny sizes; nothing here is timed or compared).

Performance bars are printed by the scripts themselves; this only keeps them from rotting as
the APIs they call change.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def bench(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.slow
def test_runtime_bench_runs() -> None:
    out = bench("runtime.py", "--foreach", "3", "--array-mb", "1", "--noop", "2", "--skip-metaflow")
    assert "foreach" in out and "python -c pass" in out


@pytest.mark.slow
def test_compile_speed_bench_runs() -> None:
    out = bench("compile_speed.py", "--repeat", "1", "--sizes", "40,80")
    assert "speed-up" in out and "chain" in out and "foreach" in out


def test_frontend_parsers_bench_runs() -> None:
    out = bench("frontend_parsers.py", "--sizes", "40", "--repeat", "1")
    assert "libcst / ast" in out


def test_argo_compile_bench_runs() -> None:
    out = bench("argo_compile.py", "--skip-metaflow", "--only", "hello", "--repeat", "1",
                "--sizes", "20,40")
    assert "hello" in out and "growth" in out and "foreach" in out
