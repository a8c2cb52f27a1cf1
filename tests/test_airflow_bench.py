"""bench/airflow_compile.py still runs end to end (one example, tiny sizes, no Metaflow and no
Airflow import: nothing here is timed or compared; the script prints the ratios)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_airflow_compile_bench_runs() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench/airflow_compile.py"), "--skip-metaflow",
         "--skip-import", "--only", "hello,switch_loop", "--repeat", "1", "--sizes", "20"],
        capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("hello ") for line in lines), done.stdout
    assert any(line.startswith("switch_loop") and "FLC2" in line for line in lines), done.stdout
    assert sum(line.split()[:2] in (["chain", "20"], ["split", "20"], ["foreach", "20"])
               for line in lines) == 3, done.stdout
