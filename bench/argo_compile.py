"""How fast and how small `flowc compile --target argo` is, as a whole process, against
Metaflow's `python flow.py argo-workflows create --only-json` on the same flows.

Everything is measured in this run, on this machine, and printed as ratios:
  1. per example, cold (a fresh process each run, median of N): time and output size, flowc's
     argo.yaml vs Metaflow's JSON (as printed, and minified). A flow Metaflow refuses is
     reported with its reason and not counted;
  2. scale: `flowc compile --target argo` on generated flows of 250..2,000 steps (chain, wide
     split, foreach nest), with the growth per doubling; Metaflow once per flow beside it.

Metaflow uploads its code package even with --only-json, so its runs get moto's S3 server on
127.0.0.1 (started here, stopped on exit), dummy AWS credentials, no AWS/kube config files,
and METAFLOW_DEFAULT_DATASTORE=s3 with METAFLOW_DATASTORE_SYSROOT_S3 in a bucket there. It
needs no METAFLOW_KUBERNETES_* setting to print; @trigger/@trigger_on_finish flows need the
three METAFLOW_ARGO_EVENTS_* names in with_events(). It imports the `kubernetes` package to
build its JSON (`.venv/bin/pip install -e '.[bench]'`). Nothing but 127.0.0.1 is contacted.

Usage: .venv/bin/python bench/argo_compile.py [--repeat N] [--sizes 250,500,1000,2000]
       [--only hello,foreach] [--skip-metaflow]
Bars (issue 8): per flow >= 2x faster than Metaflow and <= 1/5 of its output size; 2,000 steps
under 1 s. This script reports; it does not assert.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import math
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import flowgen  # noqa: E402
from compile_speed import metaflow_copy  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FLOWC = str(BIN / "flowc")
GENERATED_SETTINGS = ["--set", "image=ghcr.io/flowc-dev/flowc:0.1.0",
                      "--set", "datastore=s3://flowc-bench/datastore"]
TIMEOUT = 300.0
Run = tuple[float, int, bytes, str]  # median seconds, last exit code, last stdout, last stderr line


def timed(cmd: list[str], env: dict[str, str], cwd: Path, repeat: int) -> Run:
    """Median wall time of `cmd` over `repeat` runs, with the last run's exit code and output."""
    times, code, out, last = [], 0, b"", ""
    for _ in range(repeat):
        begin = time.perf_counter()
        try:
            done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=False,
                                  timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return TIMEOUT, -1, b"", f"timed out after {TIMEOUT:.0f} s"
        times.append(time.perf_counter() - begin)
        code, out = done.returncode, done.stdout
        lines = [s for s in done.stderr.decode(errors="replace").splitlines() if s.strip()]
        last = lines[-1].strip() if lines else ""
    return statistics.median(times), code, out, last


@contextlib.contextmanager
def moto_s3(bucket: str, env: dict[str, str]) -> Iterator[str]:
    """moto's S3 server on 127.0.0.1 (as tests/s3_server.py starts it), with `bucket`
    created; yields the endpoint URL. Bounded start-up; always stopped."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    url = f"http://127.0.0.1:{port}"
    script = BIN / "moto_server"
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "moto.server"]
    process = subprocess.Popen([*cmd, "-H", "127.0.0.1", "-p", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"moto_server exited with code {process.returncode}")
            try:
                with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):
                    break
            except urllib.error.HTTPError:
                break  # it answered
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"moto_server did not answer on {url} in 30 s") from None
                time.sleep(0.1)
        request = urllib.request.Request(f"{url}/{bucket}", method="PUT")  # CreateBucket
        with urllib.request.urlopen(request, timeout=10):
            pass
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def base_env(work: Path) -> dict[str, str]:
    """The caller's environment without AWS, Metaflow, kube or flowc settings; dummy AWS
    credentials, no config files, and no proxy for 127.0.0.1."""
    drop = ("AWS_", "METAFLOW_", "FLOWC_", "KUBE", "ARGO_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update(
        AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=str(work / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(work / "no-aws-credentials"),
        KUBECONFIG=str(work / "no-kubeconfig"), NO_PROXY="127.0.0.1", no_proxy="127.0.0.1",
        USERNAME="bench",
    )
    return env


def metaflow_env(env: dict[str, str], work: Path, endpoint: str, bucket: str) -> dict[str, str]:
    return dict(
        env, AWS_ENDPOINT_URL=endpoint, METAFLOW_HOME=str(work / "mfhome"),
        METAFLOW_DEFAULT_DATASTORE="s3", METAFLOW_DEFAULT_METADATA="local",
        METAFLOW_DATASTORE_SYSROOT_S3=f"s3://{bucket}/metaflow",
    )


def with_events(mf_env: dict[str, str], source: str) -> dict[str, str]:
    """Metaflow refuses a @trigger/@trigger_on_finish flow without these three; set only for
    such flows, since Metaflow copies them into every container's env (larger JSON)."""
    if not re.search(r"^\s*@(\w+\.)?trigger(_on_finish)?\b", source, flags=re.M):
        return mf_env
    return dict(mf_env, METAFLOW_ARGO_EVENTS_EVENT="metaflow-event",
                METAFLOW_ARGO_EVENTS_EVENT_SOURCE="metaflow-event-source",
                METAFLOW_ARGO_EVENTS_SERVICE_ACCOUNT="operate-workflow-sa")


def minified(out: bytes) -> int | None:
    """Size of Metaflow's JSON without indentation (None if stdout is not one JSON value)."""
    try:
        return len(json.dumps(json.loads(out), separators=(",", ":")).encode())
    except ValueError:
        return None


def geomean(values: list[float]) -> float:
    return math.exp(sum(map(math.log, values)) / len(values)) if values else float("nan")


def per_example(examples: list[Path], env: dict[str, str], mf_env: dict[str, str] | None,
                work: Path, repeat: int) -> None:
    theirs_how = "argo-workflows create --only-json" if mf_env else "skipped"
    print(f"== per example, cold (median of {repeat}); Metaflow: {theirs_how} ==")
    print(f"{'example':24} {'flowc s':>7} {'mf s':>6} {'speed-up':>8} {'flowc B':>8} "
          f"{'mf B':>7} {'size':>6} {'vs min':>6}  note")
    speedups: list[float] = []
    sizes: list[float] = []
    refused: list[str] = []
    for example in examples:
        ours, code, yaml_out, why = timed([FLOWC, "compile", str(example), "--target", "argo"],
                                          env, ROOT, repeat)
        extra = sorted(set(re.findall(rb"^kind: (\w+)", yaml_out, flags=re.M)) -
                       {b"WorkflowTemplate"})
        note = "+" + "+".join(k.decode() for k in extra) if extra else ""
        if code != 0:
            print(f"{example.stem:24} {ours:7.3f}  flowc exit {code}: {why[:70]}")
            continue
        if mf_env is None:
            print(f"{example.stem:24} {ours:7.3f} {'-':>6} {'-':>8} {len(yaml_out):8d}")
            continue
        mf_file = work / "examples" / example.name
        mf_file.write_text(metaflow_copy(example.read_text()))
        theirs, mf_code, json_out, mf_why = timed(
            [sys.executable, str(mf_file), "argo-workflows", "create", "--only-json"],
            with_events(mf_env, mf_file.read_text()), mf_file.parent, repeat)
        small = minified(json_out)
        if mf_code != 0 or small is None:
            refused.append(example.stem)
            print(f"{example.stem:24} {ours:7.3f} {'-':>6} {'-':>8} {len(yaml_out):8d} "
                  f"{'-':>7} {'-':>6} {'-':>6}  Metaflow refuses: {mf_why[:90]}")
            continue
        speedups.append(theirs / ours)
        sizes.append(len(yaml_out) / len(json_out))
        print(f"{example.stem:24} {ours:7.3f} {theirs:6.3f} {theirs / ours:7.1f}x "
              f"{len(yaml_out):8d} {len(json_out):7d} {sizes[-1]:6.3f} "
              f"{len(yaml_out) / small:6.3f}  {note}")
    if speedups:
        both = sum(s >= 2 and z <= 0.2 for s, z in zip(speedups, sizes, strict=True))
        print(f"summary: {len(speedups)} flows compared ({len(refused)} refused by Metaflow: "
              f"{', '.join(refused) or 'none'}); speed-up min {min(speedups):.1f}x, geo-mean "
              f"{geomean(speedups):.1f}x (bar >= 2x); size ratio max {max(sizes):.3f}, "
              f"geo-mean {geomean(sizes):.3f} (bar <= 0.200); {both}/{len(speedups)} meet both")
    print("size = flowc bytes / Metaflow bytes as printed; vs min = against Metaflow's JSON "
          "minified.\nnote: documents flowc adds beside the WorkflowTemplate (Metaflow's "
          "--only-json prints only its WorkflowTemplate).")


def scale(sizes: list[int], env: dict[str, str], mf_env: dict[str, str] | None, work: Path,
          repeat: int) -> None:
    print(f"\n== scale: flowc compile --target argo of generated flows (median of {repeat}) ==")

    def flow_dir(name: str, source: str) -> Path:
        # one folder per flow: the folder is the code package that the compile digests
        folder = work / "gen" / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "flow.py").write_text(source)
        return folder / "flow.py"

    def compile_cmd(path: Path) -> list[str]:
        return [FLOWC, "compile", str(path), "--target", "argo", *GENERATED_SETTINGS]

    tiny = flow_dir("tiny", flowgen.chain(2))
    startup, _, _, _ = timed(compile_cmd(tiny), env, tiny.parent, repeat)
    print(f"start-up (flowc compile --target argo of a 2-step flow): {startup:.3f} s")
    print(f"{'shape':8} {'steps':>6} {'flowc s':>8} {'work s':>7} {'growth':>7} {'flowc B':>9} "
          f"{'mf s':>7} {'speed-up':>8} {'size':>6}")
    for shape in flowgen.SHAPES:
        previous = None
        for size in sizes:
            ours_file = flow_dir(f"{shape}_{size}", flowgen.generate(shape, size, "flowc"))
            ours, code, out, why = timed(compile_cmd(ours_file), env, ours_file.parent, repeat)
            work_s = max(ours - startup, 1e-3)
            growth = f"{work_s / previous:6.2f}x" if previous else "      -"
            flag = "" if code == 0 else f"  (flowc exit {code}: {why[:60]})"
            flag += "  (over 1 s)" if size >= 2000 and ours >= 1.0 else ""
            line = f"{shape:8} {size:6d} {ours:8.3f} {work_s:7.3f} {growth} {len(out):9d}"
            if mf_env is not None:
                mf_file = flow_dir(f"mf_{shape}_{size}", flowgen.generate(shape, size, "metaflow"))
                theirs, mf_code, mf_out, mf_why = timed(
                    [sys.executable, str(mf_file), "argo-workflows", "create", "--only-json"],
                    mf_env, mf_file.parent, 1)
                if mf_code == 0 and mf_out:
                    line += (f" {theirs:7.3f} {theirs / ours:7.1f}x "
                             f"{len(out) / len(mf_out):6.3f}")
                else:
                    line += f" {'failed':>7}  ({mf_why[:50]})"
            print(line + flag)
            previous = work_s
    print("growth: of the work above start-up, per doubling of steps; 2.0x is linear. "
          "Metaflow: one run.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="250,500,1000,2000")
    parser.add_argument("--only", default="", help="comma-separated example names")
    parser.add_argument("--skip-metaflow", action="store_true")
    options = parser.parse_args()
    sizes = [int(s) for s in options.sizes.split(",")]
    wanted = {s for s in options.only.split(",") if s}
    examples = [p for p in sorted((ROOT / "examples").glob("*.py"))
                if not wanted or p.stem in wanted]
    with tempfile.TemporaryDirectory(prefix="flowc-argo-bench-") as name:
        work = Path(name)
        (work / "examples").mkdir()
        env = base_env(work)
        with contextlib.ExitStack() as stack:
            mf_env = None
            if not options.skip_metaflow and importlib.util.find_spec("kubernetes") is None:
                print("Metaflow's Argo compile imports the `kubernetes` package, which is not "
                      "installed: flowc only (pip install kubernetes).\n")
            elif not options.skip_metaflow:
                bucket = "flowc-argo-bench"
                endpoint = stack.enter_context(moto_s3(bucket, env))
                mf_env = metaflow_env(env, work, endpoint, bucket)
            per_example(examples, env, mf_env, work, options.repeat)
            scale(sizes, env, mf_env, work, options.repeat)


if __name__ == "__main__":
    main()
