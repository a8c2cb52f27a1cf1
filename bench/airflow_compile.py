"""How fast and how small `flowc compile --target airflow` is, as a whole process, against
Metaflow's `python flow.py airflow create FILE` on the same flows.

Everything is measured in this run, on this machine, and printed as ratios: per example, cold
(a fresh process each run, median of N), the time and the size of the DAG file each writes. A
flow Metaflow refuses (it has no switch, no nested foreach, ...) is reported with its reason
and not counted. flowc's own failures (FLC201: a switch loop) are reported likewise.

Metaflow uploads its code package and needs an S3 datastore for `airflow create`, so its
runs get moto's S3 server on 127.0.0.1 (bench/argo_compile.py's set-up: dummy credentials, no
AWS or kube config files). It imports the `kubernetes` package (`pip install -e '.[bench]'`).

Usage: .venv/bin/python bench/airflow_compile.py [--repeat N] [--only hello,foreach]
       [--skip-metaflow]
Bars (issue 10): >= 2x faster than Metaflow and <= 1/5 of its output size. This script
reports; it does not assert.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from argo_compile import base_env, geomean, metaflow_env, moto_s3, timed  # noqa: E402
from compile_speed import metaflow_copy  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FLOWC = str(Path(sys.executable).parent / "flowc")


def per_example(examples: list[Path], env: dict[str, str], mf_env: dict[str, str] | None,
                work: Path, repeat: int) -> None:
    theirs_how = "airflow create" if mf_env else "skipped"
    print(f"== per example, cold (median of {repeat}); Metaflow: {theirs_how} ==")
    print(f"{'example':24} {'flowc s':>7} {'mf s':>6} {'speed-up':>8} {'flowc B':>8} "
          f"{'mf B':>7} {'size':>6}  note")
    speedups: list[float] = []
    sizes: list[float] = []
    refused: list[str] = []
    for example in examples:
        ours_dir = work / "flowc" / example.stem
        ours, code, _, why = timed([FLOWC, "compile", str(example), "--target", "airflow",
                                    "-o", str(ours_dir)], env, ROOT, repeat)
        if code != 0:
            print(f"{example.stem:24} {ours:7.3f}  flowc refuses: {why[:80]}")
            continue
        ours_size = (ours_dir / "airflow.py").stat().st_size
        if mf_env is None:
            print(f"{example.stem:24} {ours:7.3f} {'-':>6} {'-':>8} {ours_size:8d}")
            continue
        mf_file = work / "examples" / example.name
        mf_file.write_text(metaflow_copy(example.read_text()))
        mf_out = work / "metaflow" / f"{example.stem}.py"
        mf_out.parent.mkdir(parents=True, exist_ok=True)
        mf_out.unlink(missing_ok=True)
        theirs, mf_code, _, mf_why = timed(
            [sys.executable, str(mf_file), "airflow", "create", str(mf_out)],
            mf_env, mf_file.parent, repeat)
        if mf_code != 0 or not mf_out.exists():
            refused.append(example.stem)
            print(f"{example.stem:24} {ours:7.3f} {'-':>6} {'-':>8} {ours_size:8d} "
                  f"{'-':>7} {'-':>6}  Metaflow refuses: {mf_why[:90]}")
            continue
        theirs_size = mf_out.stat().st_size
        speedups.append(theirs / ours)
        sizes.append(ours_size / theirs_size)
        print(f"{example.stem:24} {ours:7.3f} {theirs:6.3f} {theirs / ours:7.1f}x "
              f"{ours_size:8d} {theirs_size:7d} {sizes[-1]:6.3f}")
    if speedups:
        both = sum(s >= 2 and z <= 0.2 for s, z in zip(speedups, sizes, strict=True))
        print(f"summary: {len(speedups)} flows compared ({len(refused)} refused by Metaflow: "
              f"{', '.join(refused) or 'none'}); speed-up min {min(speedups):.1f}x, geo-mean "
              f"{geomean(speedups):.1f}x (bar >= 2x); size ratio max {max(sizes):.3f}, "
              f"geo-mean {geomean(sizes):.3f} (bar <= 0.200); {both}/{len(speedups)} meet both")
    print("size = flowc's airflow.py bytes / Metaflow's DAG file bytes.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated example names")
    parser.add_argument("--skip-metaflow", action="store_true")
    options = parser.parse_args()
    wanted = {s for s in options.only.split(",") if s}
    examples = [p for p in sorted((ROOT / "examples").glob("*.py"))
                if not wanted or p.stem in wanted]
    with tempfile.TemporaryDirectory(prefix="flowc-airflow-bench-") as name:
        work = Path(name)
        (work / "examples").mkdir()
        env = base_env(work)
        with contextlib.ExitStack() as stack:
            mf_env = None
            if not options.skip_metaflow and importlib.util.find_spec("kubernetes") is None:
                print("Metaflow's Airflow compile imports the `kubernetes` package, which is "
                      "not installed: flowc only (pip install -e '.[bench]').\n")
            elif not options.skip_metaflow:
                bucket = "flowc-airflow-bench"
                endpoint = stack.enter_context(moto_s3(bucket, env))
                mf_env = metaflow_env(env, work, endpoint, bucket)
            per_example(examples, env, mf_env, work, options.repeat)


if __name__ == "__main__":
    main()
