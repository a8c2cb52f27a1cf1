"""How fast and how small `flowc compile --target airflow` is, as a whole process, against
Metaflow's `python flow.py airflow create FILE` on the same flows, and whether each output
imports on Airflow 3.

Everything is measured in this run, on this machine, and printed as ratios:
  1. per example, cold (a fresh process each run, median of N): time and DAG file size, flowc's
     airflow.py vs Metaflow's file. A flow Metaflow refuses is reported with its reason and not
     counted;
  2. Airflow 3 import: every file of both (one `DagBag` process in the Airflow venv that
     tests/tools/install_airflow.sh builds, skipped when it is missing): the import errors;
  3. scale: generated flows (chain, wide split, foreach nest) of the given sizes, flowc and
     Metaflow once each.

Metaflow's `airflow create` needs an S3 datastore and uploads its code package, so it runs
against moto's S3 server on 127.0.0.1 with dummy credentials, as in bench/argo_compile.py (whose
helpers this reuses), and imports `kubernetes` (`.venv/bin/pip install -e '.[bench]'`). flowc
compiles in the KubernetesPodOperator form (Metaflow's only form) with an image and an
s3:// datastore. Nothing but 127.0.0.1 is contacted.

Usage: .venv/bin/python bench/airflow_compile.py [--repeat N] [--only hello,foreach]
       [--sizes 100,200] [--skip-metaflow] [--skip-import]
Bars (issue 10): >= 2x faster than Metaflow and <= 1/5 of its size. This script reports; it
does not assert.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import flowgen  # noqa: E402
from argo_compile import base_env, geomean, metaflow_env, moto_s3, timed  # noqa: E402
from compile_speed import metaflow_copy  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FLOWC = str(Path(sys.executable).parent / "flowc")
SETTINGS = ["--set", "operator=kubernetes", "--set", "image=ghcr.io/flowc-dev/flowc:0.1.0",
            "--set", "datastore=s3://flowc-bench/datastore"]
AIRFLOW_PYTHON = Path(os.environ.get("FLOWC_AIRFLOW_VENV") or ROOT / ".tools/airflow-venv",
                      "bin", "python")
IMPORT_SCRIPT = """
import json, sys
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1], safe_mode=False)
print(json.dumps({"errors": {str(k): str(v) for k, v in bag.import_errors.items()},
                  "dags": sorted({str(d.fileloc) for d in bag.dags.values()})}))
"""


Compiled = tuple[float, int, int, str]  # median seconds, exit code, file size, reason


def flowc_compile(flow: Path, out: Path, env: dict[str, str], repeat: int) -> Compiled:
    """(median seconds, exit code, size of airflow.py, last stderr line)."""
    command = [FLOWC, "compile", str(flow), "--target", "airflow", "-o", str(out), *SETTINGS]
    seconds, code, _, why = timed(command, env, flow.parent, repeat)
    if code != 0:  # the first diagnostic says more than the summary line
        done = subprocess.run(command, env=env, cwd=flow.parent, capture_output=True,
                              text=True, timeout=300)
        found = [line for line in done.stderr.splitlines() if "error[" in line]
        why = found[0].split(": ", 1)[-1] if found else why
    file = out / "airflow.py"
    return seconds, code, file.stat().st_size if code == 0 and file.exists() else 0, why


def metaflow_create(source: str, folder: Path, mf_env: dict[str, str],
                    repeat: int) -> Compiled:
    """(median seconds, exit code, size of the DAG file, Metaflow's reason when it refuses)."""
    folder.mkdir(parents=True, exist_ok=True)
    flow = folder / "flow.py"
    flow.write_text(metaflow_copy(source))
    out = folder / "metaflow_dag.py"
    seconds, code, out_bytes, why = timed(
        [sys.executable, str(flow), "--no-pylint", "airflow", "create", str(out)], mf_env,
        folder, repeat)
    if code != 0:
        why = _metaflow_reason(why, folder, flow, mf_env)
    return seconds, code, out.stat().st_size if code == 0 and out.exists() else 0, why


def _metaflow_reason(last: str, folder: Path, flow: Path, mf_env: dict[str, str]) -> str:
    """Metaflow prints its reason over several lines; keep the lines after the error title."""
    done = subprocess.run([sys.executable, str(flow), "--no-pylint", "airflow", "create",
                           str(folder / "again.py")], env=mf_env, cwd=folder,
                          capture_output=True, text=True, timeout=300)
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if line.endswith(("error:", "Exception:", "Error:")) or "is not supported" in line:
            return " ".join(lines[index:index + 3])[:160]
    return (lines[-1] if lines else last)[:160]


def per_example(examples: list[Path], env: dict[str, str], mf_env: dict[str, str] | None,
                work: Path, repeat: int) -> dict[str, Path]:
    """The table; returns {label: DAG file} of every output, for the import check."""
    print(f"== per example, cold (median of {repeat}); Metaflow: "
          f"{'airflow create' if mf_env else 'skipped'} ==")
    print(f"{'example':24} {'flowc s':>7} {'mf s':>6} {'speed-up':>8} {'flowc B':>8} "
          f"{'mf B':>7} {'size':>6}  note")
    outputs: dict[str, Path] = {}
    speedups: list[float] = []
    sizes: list[float] = []
    refused: list[str] = []
    for example in examples:
        out = work / "flowc" / example.stem
        ours, code, our_size, why = flowc_compile(example, out, env, repeat)
        if code != 0:
            print(f"{example.stem:24} {ours:7.3f}  flowc refuses (exit {code}): {why[:90]}")
        else:
            outputs[f"flowc/{example.stem}"] = out / "airflow.py"
        if mf_env is None:
            if code == 0:
                print(f"{example.stem:24} {ours:7.3f} {'-':>6} {'-':>8} {our_size:8d}")
            continue
        folder = work / "metaflow" / example.stem
        theirs, mf_code, mf_size, mf_why = metaflow_create(example.read_text(), folder, mf_env,
                                                           repeat)
        if mf_code != 0:
            refused.append(example.stem)
            if code == 0:
                print(f"{example.stem:24} {ours:7.3f} {'-':>6} {'-':>8} {our_size:8d} "
                      f"{'-':>7} {'-':>6}  Metaflow refuses: {mf_why}")
            else:
                print(f"{'':24} Metaflow: {mf_why}")
            continue
        outputs[f"metaflow/{example.stem}"] = folder / "metaflow_dag.py"
        if code != 0:
            continue
        speedups.append(theirs / ours)
        sizes.append(our_size / mf_size)
        print(f"{example.stem:24} {ours:7.3f} {theirs:6.3f} {theirs / ours:7.1f}x "
              f"{our_size:8d} {mf_size:7d} {sizes[-1]:6.3f}")
    if speedups:
        both = sum(s >= 2 and z <= 0.2 for s, z in zip(speedups, sizes, strict=True))
        print(f"summary: {len(speedups)} flows compared ({len(refused)} refused by Metaflow: "
              f"{', '.join(refused) or 'none'}); speed-up min {min(speedups):.1f}x, geo-mean "
              f"{geomean(speedups):.1f}x (bar >= 2x); size ratio max {max(sizes):.3f}, "
              f"geo-mean {geomean(sizes):.3f} (bar <= 0.200); {both}/{len(speedups)} meet both")
    print("size = flowc bytes / Metaflow bytes.")
    return outputs


def airflow_import(outputs: dict[str, Path], work: Path) -> None:
    """Both compilers' files through Airflow 3's DagBag, one process."""
    print("\n== Airflow 3 import (DagBag) ==")
    if not AIRFLOW_PYTHON.exists():
        print(f"skipped: no Airflow venv at {AIRFLOW_PYTHON.parent.parent} "
              "(tests/tools/install_airflow.sh builds it)")
        return
    folder = work / "dags"
    for label, file in outputs.items():
        target = folder / label / "dag.py"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.read_bytes())
    home = work / "airflow-home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "PYTHON"))}
    env.update(AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False",
               AIRFLOW__CORE__DAGS_FOLDER=str(folder))
    done = subprocess.run([str(AIRFLOW_PYTHON), "-c", IMPORT_SCRIPT, str(folder)], env=env,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        print(f"the import process failed: {done.stderr.strip().splitlines()[-1:]}")
        return
    report = json.loads(done.stdout.strip().splitlines()[-1])
    errors = {str(Path(k).parent.relative_to(folder)) if Path(k).is_absolute() else
              str(Path(k).parent): v for k, v in report["errors"].items()}
    loaded = {str(Path(k).parent.relative_to(folder)) for k in report["dags"]}
    for compiler in ("flowc", "metaflow"):
        labels = sorted(label for label in outputs if label.startswith(compiler + "/"))
        good = [label for label in labels if label in loaded and label not in errors]
        print(f"{compiler}: {len(good)}/{len(labels)} files import with a DAG")
        for label in labels:
            if label in errors:
                lines = [s for s in errors[label].strip().splitlines() if s.strip()]
                print(f"  {label.split('/', 1)[1]:24} import error: {lines[-1][:110]}")
            elif label not in loaded:
                print(f"  {label.split('/', 1)[1]:24} no DAG defined")


def scale(sizes: list[int], env: dict[str, str], mf_env: dict[str, str] | None,
          work: Path) -> None:
    print("\n== scale: generated flows, one run each ==")
    print(f"{'shape':8} {'steps':>6} {'flowc s':>8} {'flowc B':>9} {'mf s':>7} {'speed-up':>8} "
          f"{'size':>6}")
    for shape in flowgen.SHAPES:
        for size in sizes:
            folder = work / "gen" / f"{shape}_{size}"
            folder.mkdir(parents=True)
            (folder / "flow.py").write_text(flowgen.generate(shape, size, "flowc"))
            ours, code, our_size, why = flowc_compile(folder / "flow.py", folder / "out", env, 1)
            line = f"{shape:8} {size:6d} {ours:8.3f} {our_size:9d}"
            if code != 0:
                line += f"  (flowc exit {code}: {why[:60]})"
            if mf_env is not None:
                theirs, mf_code, mf_size, mf_why = metaflow_create(
                    flowgen.generate(shape, size, "metaflow"), folder / "mf", mf_env, 1)
                if mf_code == 0 and code == 0:
                    line += f" {theirs:7.3f} {theirs / ours:7.1f}x {our_size / mf_size:6.3f}"
                else:
                    line += f"  Metaflow: {mf_why[:80]}" if mf_code else ""
            print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated example names")
    parser.add_argument("--sizes", default="100,200", help="generated flow sizes ('' for none)")
    parser.add_argument("--skip-metaflow", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    options = parser.parse_args()
    wanted = {s for s in options.only.split(",") if s}
    examples = [p for p in sorted((ROOT / "examples").glob("*.py"))
                if not wanted or p.stem in wanted]
    sizes = [int(s) for s in options.sizes.split(",") if s]
    with tempfile.TemporaryDirectory(prefix="flowc-airflow-bench-") as name:
        work = Path(name)
        env = base_env(work)
        with contextlib.ExitStack() as stack:
            mf_env = None
            if not options.skip_metaflow and importlib.util.find_spec("kubernetes") is None:
                print("Metaflow's Airflow compile imports the `kubernetes` package, which is not "
                      "installed: flowc only (pip install -e '.[bench]').\n")
            elif not options.skip_metaflow:
                bucket = "flowc-airflow-bench"
                endpoint = stack.enter_context(moto_s3(bucket, env))
                mf_env = metaflow_env(env, work, endpoint, bucket)
            outputs = per_example(examples, env, mf_env, work, options.repeat)
            if not options.skip_import:
                airflow_import(outputs, work)
            if sizes:
                scale(sizes, env, mf_env, work)


if __name__ == "__main__":
    main()
