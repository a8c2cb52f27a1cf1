"""Every example the Airflow target supports runs end to end on Airflow 3, compiled fresh, in
both operator forms (the local operator: the shim as a process on the worker; the
KubernetesPodOperator: each pod a local process, tests/airflow/worker/local_pods.py), and ends
with the same tasks and artifacts as `flowc run`. The same batch shows Airflow's retries (a
failing-once step succeeds on its second try, and the shim saw the retry count) and a step's
@timeout as its execution_timeout (the step is stopped, the run fails).

One Airflow process per form runs every DAG with `dag.test()` (tests/airflow/harness.py), so
the two forms are two tests that pytest-xdist runs side by side."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from airflow.flows import (
    PYTHON,
    artifacts,
    assert_same_artifacts,
    compile_airflow,
    local_runs_dir,
    record,
    upload_code,
)
from airflow.harness import run_batch

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
RETRY_ONCE = ROOT / "tests/runner_flows/retry_once.py"
SLEEPY = ROOT / "tests/runner_flows/sleepy.py"  # @timeout(seconds=1) on a 30 s sleep
ENV_BRACES = ROOT / "tests/runner_flows/env_braces.py"  # Jinja-like @environment values
# Examples the target refuses with an FLC2xx diagnostic, and why (docs/targets/airflow.md).
UNSUPPORTED = {
    "switch_loop": "a DAG has no cycles",
}

pytestmark = pytest.mark.slow


def compile_batch(flows: list[Path], datastore: str, operator: str,
                  out: Path) -> tuple[dict[str, str], dict[str, str]]:
    """({file name: DAG source} of the flows that compile, {stem: diagnostics} of the rest);
    each flow's code package is stored in the datastore first, as `flowc deploy` would."""
    files, refused = {}, {}
    for flow in flows:
        done = compile_airflow(flow, out / flow.stem, datastore, operator)
        if done.returncode != 0:
            refused[flow.stem] = done.stderr
            continue
        upload_code(flow, datastore)  # type: ignore[arg-type]
        files[f"{flow.stem}.py"] = (out / flow.stem / "airflow.py").read_text()
    return files, refused


@pytest.mark.parametrize("operator", ["local", "kubernetes"])
def test_every_example_runs_on_airflow_with_the_artifacts_of_a_local_run(
        operator: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
        request: pytest.FixtureRequest, worker_id: str) -> None:
    if operator == "kubernetes":  # a pod reaches the datastore over the network: S3 (moto)
        datastore: str = request.getfixturevalue("s3_url")
    else:
        (tmp_path / "ds").mkdir()
        datastore = str(tmp_path / "ds")
    flows = [*EXAMPLES, RETRY_ONCE, SLEEPY, ENV_BRACES]
    files, refused = compile_batch(flows, datastore, operator, tmp_path / "compiled")
    assert {stem: "FLC2" in text for stem, text in refused.items()} == \
        dict.fromkeys(UNSUPPORTED, True), refused
    marker = tmp_path / "marker"
    runs = [(name, {"marker": str(marker)} if name == f"{RETRY_ONCE.stem}.py" else {})
            for name in sorted(files)]
    result = run_batch(files, tmp_path / "batch", tmp_path_factory.getbasetemp(),
                       runs_by_file=runs)
    assert result.import_errors == {}

    failures = {}
    for example in [*EXAMPLES, ENV_BRACES]:
        if example.stem in UNSUPPORTED:
            continue
        run = result.run(file=example.name)
        if run.state != "success":
            failures[example.stem] = run.explain()
            continue
        try:
            assert_same_artifacts(example, datastore, run.run_id,
                                  local_runs_dir(tmp_path_factory, worker_id))
        except AssertionError as error:
            failures[example.stem] = f"artifacts differ from flowc run: {error}"
    assert not failures, "\n\n".join(f"{s}: {t}" for s, t in failures.items())

    retried = result.run(file=RETRY_ONCE.name)
    assert retried.state == "success", retried.explain()
    [flaky] = [t for t in retried.tasks if t.task_id.endswith("flaky")]
    assert (flaky.state, flaky.try_number) == ("success", 2)
    assert record(datastore, "RetryOnceFlow", retried.run_id, "flaky", "t").attempt == 1
    braces = artifacts(datastore, "EnvBracesFlow", result.run(file=ENV_BRACES.name).run_id,
                       ["start"])[("start", "t")]
    assert braces["braces"] == "{{workflow.uid}} $(whoami) 'q' \"dq\" é"  # not Jinja's
    timed_out = result.run(file=SLEEPY.name)
    assert timed_out.state == "failed" and timed_out.seconds < 25, timed_out.explain()
    assert {t.task_id: t.state for t in timed_out.tasks} == \
        {"start": "success", "nap": "failed", "end": "upstream_failed"}, timed_out.explain()
    assert "Process timed out" in timed_out.log  # Airflow's execution_timeout stopped it
    if operator == "kubernetes":
        pods = {p.parent.name: json.loads(p.read_text())
                for p in (tmp_path / "batch/pods").glob("*/pod.json")}
        assert {tuple(p["argv"][:4]) for p in pods.values()} == \
            {(PYTHON, "-P", "-m", "flowc.runtime_shim")}
        # per-step settings reach the pod that Airflow's own operator builds
        [train] = [p for name, p in pods.items() if ".DecoratorsFlow.train." in name]
        container = train["pod"]["spec"]["containers"][0]
        assert container["image"] == "python:3.11-slim"  # @kubernetes(image=IMAGE)
        assert container["resources"]["requests"]["cpu"] == "2"  # @resources(cpu=2)
        assert train["env"]["TRAINING_MODE"] == "demo"  # @environment
        [score] = [p for name, p in pods.items() if ".DecoratorsFlow.score." in name]
        assert {"secretRef": {"name": "scoring-api-key"}} in \
            score["pod"]["spec"]["containers"][0]["envFrom"]  # @secrets
        others = {p["pod"]["spec"]["containers"][0]["image"] for name, p in pods.items()
                  if ".DecoratorsFlow.train." not in name}
        assert others == {"flowc-test:1"}  # the image setting
