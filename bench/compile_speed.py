"""How fast `flowc check` is, as a whole process, against Metaflow's `python flow.py check`.

Everything is measured in this run, on this machine, and printed as ratios:
  1. per file, cold: every example, flowc vs Metaflow (one process each);
  2. a CI job's view: all examples in ONE `flowc check` vs one Metaflow process per file;
  3. scale: generated flows of 250..2,000 steps (chain, wide split, deep foreach nest),
     with the growth factor per doubling (1.0 per doubling would be constant, 2.0 linear).

Usage: .venv/bin/python bench/compile_speed.py [--repeat N] [--sizes 250,500,1000,2000]
Bars (from the issue): per file never slower than Metaflow; all examples >= 5x faster;
2,000 steps under 1 s; growth close to linear. This script reports; it does not assert.
The Argo compile against Metaflow's `argo-workflows create --only-json` is bench/argo_compile.py.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import flowgen  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FLOWC = str(BIN / "flowc")


def timed(cmd: list[str], env: dict[str, str], cwd: Path, repeat: int) -> tuple[float, int, str]:
    """Median wall time of `cmd` over `repeat` runs, its last exit code and last stderr line."""
    times, code, last = [], 0, ""
    for _ in range(repeat):
        begin = time.perf_counter()
        done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - begin)
        code = done.returncode
        lines = done.stderr.decode(errors="replace").strip().splitlines()
        last = lines[-1] if lines else ""
    return statistics.median(times), code, last


def metaflow_copy(source: str) -> str:
    """An example rewritten to import Metaflow instead of flowc (same names)."""
    source = re.sub(r"^from flowc import", "from metaflow import", source, flags=re.M)
    source = re.sub(r"^import flowc\b", "import metaflow", source, flags=re.M)
    if "__main__" not in source:
        match = re.search(r"^class (\w+)\(", source, flags=re.M)
        if match:
            source += f'\n\nif __name__ == "__main__":\n    {match.group(1)}()\n'
    return source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="250,500,1000,2000")
    options = parser.parse_args()
    sizes = [int(s) for s in options.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="flowc-bench-"))
    env = dict(
        os.environ,
        METAFLOW_HOME=str(work / "mfhome"),
        USERNAME="bench",
        METAFLOW_DEFAULT_DATASTORE="local",
        METAFLOW_DEFAULT_METADATA="local",
    )
    examples = sorted((ROOT / "examples").glob("*.py"))

    print(f"== per file, cold (median of {options.repeat}) ==")
    print(f"{'example':28} {'flowc s':>8} {'metaflow s':>10} {'speed-up':>8}")
    flowc_total = metaflow_total = 0.0
    for example in examples:
        mf_file = work / example.name
        mf_file.write_text(metaflow_copy(example.read_text()))
        ours, code, _ = timed([FLOWC, "check", str(example)], env, ROOT, options.repeat)
        theirs, mf_code, _ = timed(
            [sys.executable, str(mf_file), "check"], env, work, options.repeat
        )
        flowc_total += ours
        metaflow_total += theirs
        note = "" if code == 0 and mf_code == 0 else f"  (exit flowc={code} metaflow={mf_code})"
        print(f"{example.stem:28} {ours:8.3f} {theirs:10.3f} {theirs / ours:7.1f}x{note}")

    print("\n== all examples: one flowc process vs one Metaflow process per file ==")
    ours, code, _ = timed([FLOWC, "check", *map(str, examples)], env, ROOT, options.repeat)
    print(f"flowc (1 process, {len(examples)} files): {ours:.3f} s (exit {code})")
    print(f"metaflow ({len(examples)} processes):      {metaflow_total:.3f} s")
    print(f"speed-up: {metaflow_total / ours:.1f}x   (bar: >= 5x)")

    print(f"\n== scale: generated flows (median of {options.repeat}) ==")
    empty = work / "empty.py"
    empty.write_text("")
    startup, _, _ = timed([FLOWC, "check", str(empty)], env, work, options.repeat)
    print(f"start-up (flowc check of an empty file): {startup:.3f} s")
    print(
        f"{'shape':8} {'steps':>6} {'flowc s':>8} {'work s':>7} {'growth':>7} "
        f"{'metaflow s':>10} {'speed-up':>8}"
    )
    for shape in flowgen.SHAPES:
        previous = None
        for size in sizes:
            ours_file = work / f"{shape}_{size}.py"
            ours_file.write_text(flowgen.generate(shape, size, "flowc"))
            mf_file = work / f"mf_{shape}_{size}.py"
            mf_file.write_text(flowgen.generate(shape, size, "metaflow"))
            ours, code, _ = timed([FLOWC, "check", str(ours_file)], env, work, options.repeat)
            theirs, mf_code, why = timed([sys.executable, str(mf_file), "check"], env, work, 1)
            work_s = max(ours - startup, 1e-3)
            growth = f"{work_s / previous:6.2f}x" if previous else "      -"
            mf = f"{theirs:10.3f}" if mf_code == 0 else f"{'failed':>10}"
            ratio = f"{theirs / ours:7.1f}x" if mf_code == 0 else f"  ({why[:60]})"
            flag = "" if code == 0 else f"  (flowc exit {code})"
            print(f"{shape:8} {size:6d} {ours:8.3f} {work_s:7.3f} {growth} {mf} {ratio}{flag}")
            previous = work_s
    print("\ngrowth: of the work above start-up, per doubling of steps; 2.0x is linear.")


if __name__ == "__main__":
    main()
