"""How fast and how small `flowc compile --target sfn` is, as a whole process, against
Metaflow's `python flow.py step-functions create --only-json` on the same flows.

Everything is measured in this run, on this machine, and printed as ratios:
  1. per example, cold (a fresh process each run, median of N): time and output size, flowc's
     sfn.json (as written, indented, and minified) vs Metaflow's JSON. A flow Metaflow refuses
     (switches, switch loops, nested foreach, ...) is reported with its reason, not counted;
  2. scale: generated flows of 250..2,000 steps (chain, wide split, foreach nest), Metaflow
     once per flow beside them.

Metaflow talks to AWS even with --only-json: it uploads its code package (S3) and registers a
Batch job definition after looking up the job queue's compute environment. So its runs get
moto's server on 127.0.0.1 (started here, stopped on exit) with a bucket, an IAM role, a VPC,
a Fargate compute environment and a job queue created in it, dummy credentials, no AWS config
files, and METAFLOW_BATCH_JOB_QUEUE, METAFLOW_ECS_S3_ACCESS_IAM_ROLE,
METAFLOW_ECS_FARGATE_EXECUTION_ROLE, METAFLOW_SFN_IAM_ROLE and METAFLOW_SFN_DYNAMO_DB_TABLE
(the table Metaflow needs for foreach; flowc needs none). Nothing but 127.0.0.1 is contacted.

Usage: .venv/bin/python bench/sfn_compile.py [--repeat N] [--sizes 250,500,1000,2000]
       [--only hello,foreach] [--skip-metaflow]
Bars (issue 9): >= 2x faster than Metaflow and <= 1/5 of its output size. This script
reports; it does not assert.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import flowgen  # noqa: E402
from argo_compile import (  # noqa: E402
    FLOWC,
    ROOT,
    base_env,
    geomean,
    metaflow_env,
    minified,
    moto_s3,
    timed,
)
from compile_speed import metaflow_copy  # noqa: E402

BUCKET = "flowc-sfn-bench"
SETTINGS = ["--set", f"datastore=s3://{BUCKET}/datastore", "--set", "job_queue=flowc-bench",
            "--set", "job_definition=flowc-bench", "--set", "region=us-east-1",
            "--set", "account=123456789012",
            "--set", "scheduler_role=arn:aws:iam::123456789012:role/flowc-bench"]


def aws_for_metaflow(endpoint: str, env: dict[str, str]) -> dict[str, str]:
    """What Metaflow's Step Functions compile looks up, created in moto; the variables that
    point Metaflow at it."""
    import boto3

    client: Any = {"endpoint_url": endpoint, "region_name": env["AWS_DEFAULT_REGION"],
                   "aws_access_key_id": env["AWS_ACCESS_KEY_ID"],
                   "aws_secret_access_key": env["AWS_SECRET_ACCESS_KEY"]}
    iam, ec2, batch = (boto3.client(name, **client) for name in ("iam", "ec2", "batch"))
    role = iam.create_role(RoleName="flowc-bench", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="flowc-bench", Description="bench",
                                      VpcId=vpc)["GroupId"]
    environment = batch.create_compute_environment(
        computeEnvironmentName="flowc-bench", type="MANAGED", serviceRole=role,
        computeResources={"type": "FARGATE", "maxvCpus": 16, "subnets": [subnet],
                          "securityGroupIds": [group]})
    batch.create_job_queue(jobQueueName="flowc-bench", state="ENABLED", priority=1,
                           computeEnvironmentOrder=[{
                               "order": 1,
                               "computeEnvironment": environment["computeEnvironmentArn"]}])
    return {"METAFLOW_BATCH_JOB_QUEUE": "flowc-bench", "METAFLOW_ECS_S3_ACCESS_IAM_ROLE": role,
            "METAFLOW_ECS_FARGATE_EXECUTION_ROLE": role, "METAFLOW_SFN_IAM_ROLE": role,
            "METAFLOW_SFN_DYNAMO_DB_TABLE": "flowc-bench"}


def _flowc(path: Path, env: dict[str, str], repeat: int,
           out: Path) -> tuple[float, int, bytes, str]:
    """Time `flowc compile --target sfn -o DIR`; the output is `sfn.json` (a flow with
    @schedule also writes `sfn.schedule.json`, which Metaflow's JSON has no counterpart of)."""
    seconds, code, _, why = timed([FLOWC, "compile", str(path), "--target", "sfn", "-o",
                                   str(out), *SETTINGS], env, path.parent, repeat)
    definition = out / "sfn.json"
    return seconds, code, definition.read_bytes() if definition.exists() else b"", why


def _metaflow(path: Path, env: dict[str, str], repeat: int) -> tuple[float, int, bytes, str]:
    return timed([sys.executable, str(path), "step-functions", "create", "--only-json"], env,
                 path.parent, repeat)


def per_example(examples: list[Path], env: dict[str, str], mf_env: dict[str, str] | None,
                work: Path, repeat: int) -> None:
    print(f"== per example, cold (median of {repeat}); Metaflow: "
          f"{'step-functions create --only-json' if mf_env else 'skipped'} ==")
    print(f"{'example':24} {'flowc s':>7} {'mf s':>6} {'speed-up':>8} {'flowc B':>8} "
          f"{'min B':>7} {'mf B':>7} {'size':>6} {'min/min':>7}")
    speedups: list[float] = []
    sizes: list[float] = []
    refused: list[str] = []
    for example in examples:
        ours, code, out, why = _flowc(example, env, repeat, work / "out" / example.stem)
        if code != 0:
            print(f"{example.stem:24} {ours:7.3f}  flowc exit {code}: {why[:70]}")
            continue
        ours_min = minified(out) or len(out)
        if mf_env is None:
            print(f"{example.stem:24} {ours:7.3f} {'-':>6} {'-':>8} {len(out):8d} {ours_min:7d}")
            continue
        mf_file = work / "examples" / example.name
        mf_file.write_text(metaflow_copy(example.read_text()))
        theirs, mf_code, mf_out, mf_why = _metaflow(mf_file, mf_env, repeat)
        theirs_min = minified(mf_out)
        if mf_code != 0 or theirs_min is None:
            refused.append(example.stem)
            print(f"{example.stem:24} {ours:7.3f} {'-':>6} {'-':>8} {len(out):8d} "
                  f"{ours_min:7d} {'-':>7} {'-':>6} {'-':>7}  Metaflow refuses: {mf_why[:80]}")
            continue
        speedups.append(theirs / ours)
        sizes.append(len(out) / len(mf_out))
        print(f"{example.stem:24} {ours:7.3f} {theirs:6.3f} {theirs / ours:7.1f}x "
              f"{len(out):8d} {ours_min:7d} {len(mf_out):7d} {sizes[-1]:6.3f} "
              f"{ours_min / theirs_min:7.3f}")
    if speedups:
        both = sum(s >= 2 and z <= 0.2 for s, z in zip(speedups, sizes, strict=True))
        print(f"summary: {len(speedups)} flows compared ({len(refused)} refused by Metaflow: "
              f"{', '.join(refused) or 'none'}); speed-up min {min(speedups):.1f}x, geo-mean "
              f"{geomean(speedups):.1f}x (bar >= 2x); size ratio max {max(sizes):.3f}, "
              f"geo-mean {geomean(sizes):.3f} (bar <= 0.200); {both}/{len(speedups)} meet both")
    print("size = flowc bytes / Metaflow bytes, each as printed; min/min = both minified.")


def scale(sizes: list[int], env: dict[str, str], mf_env: dict[str, str] | None, work: Path,
          repeat: int) -> None:
    print(f"\n== scale: flowc compile --target sfn of generated flows (median of {repeat}) ==")
    print(f"{'shape':8} {'steps':>6} {'flowc s':>8} {'min B':>9} {'mf s':>7} {'speed-up':>8} "
          f"{'min/min':>7}")
    for shape in flowgen.SHAPES:
        for size in sizes:
            folder = work / "gen" / f"{shape}_{size}"
            folder.mkdir(parents=True)
            ours_file = folder / "flow.py"
            ours_file.write_text(flowgen.generate(shape, size, "flowc"))
            ours, code, out, why = _flowc(ours_file, env, repeat, folder / "out")
            ours_min = minified(out) or 0
            line = f"{shape:8} {size:6d} {ours:8.3f} {ours_min:9d}"
            if code != 0:
                line += f"  (flowc exit {code}: {why[:70]})"
            if mf_env is not None:
                mf_file = folder / "mf_flow.py"
                mf_file.write_text(flowgen.generate(shape, size, "metaflow"))
                theirs, mf_code, mf_out, mf_why = _metaflow(mf_file, mf_env, 1)
                theirs_min = minified(mf_out)
                if mf_code == 0 and theirs_min:
                    line += (f" {theirs:7.3f} {theirs / ours:7.1f}x "
                             f"{ours_min / theirs_min:7.3f}")
                else:
                    line += f" {'failed':>7}  ({mf_why[:60]})"
            print(line)
    print("min B: flowc's definition minified (what deploy sends; quota 1,048,576). "
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
    with tempfile.TemporaryDirectory(prefix="flowc-sfn-bench-") as name:
        work = Path(name)
        (work / "examples").mkdir()
        env = base_env(work)
        with contextlib.ExitStack() as stack:
            mf_env = None
            if not options.skip_metaflow:
                endpoint = stack.enter_context(moto_s3(BUCKET, env))
                mf_env = dict(metaflow_env(env, work, endpoint, BUCKET),
                              **aws_for_metaflow(endpoint, env))
            per_example(examples, env, mf_env, work, options.repeat)
            scale(sizes, env, mf_env, work, options.repeat)


if __name__ == "__main__":
    main()
