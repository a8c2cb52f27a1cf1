"""The Argo target's own rules: what it refuses (FLC201/FLC301 at the construct), the names
it makes, the settings it needs, and that the same flow gives the same bytes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FLOWC = str(Path(sys.executable).with_name("flowc"))
SETTINGS = ("--set", "image=i", "--set", "datastore=s3://b/p")


def compile_source(tmp_path: Path, source: str, *args: str) -> subprocess.CompletedProcess[str]:
    flow = tmp_path / "flow.py"
    flow.write_text(source)
    return subprocess.run([FLOWC, "compile", str(flow), "--target", "argo", *args],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)


HEAD = "from flowc import FlowSpec, Parameter, kubernetes, step\n\n"
TAIL = ("    @step\n    def start(self):\n        self.next(self.end)\n\n"
        "    @step\n    def end(self):\n        pass\n")


def test_a_default_argo_would_read_as_an_expression_is_flc201_at_the_default(
        tmp_path: Path) -> None:
    source = HEAD + "class F(FlowSpec):\n    x = Parameter('x', default='{{workflow.name}}')\n\n" \
        + TAIL
    done = compile_source(tmp_path, source, *SETTINGS)
    assert done.returncode == 1 and done.stdout == ""
    assert "flow.py:4:32: error[FLC201] the argo target cannot carry the default of parameter" \
        " 'x'" in done.stderr


def test_a_label_kubernetes_refuses_is_flc301(tmp_path: Path) -> None:
    source = HEAD + "class F(FlowSpec):\n    @kubernetes(labels={'team': 'data science!'})\n" \
        + TAIL
    done = compile_source(tmp_path, source, *SETTINGS)
    assert done.returncode == 1 and "error[FLC301]" in done.stderr
    assert "'data science!'" in done.stderr


def test_num_parallel_is_flc201(tmp_path: Path) -> None:
    done = subprocess.run([FLOWC, "compile", "tests/runner_flows/parallel_gang.py", "-t", "argo",
                           *SETTINGS], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "error[FLC201] the argo target cannot express num_parallel" \
        in done.stderr


def test_missing_settings_are_one_message_naming_option_key_and_variable(
        tmp_path: Path) -> None:
    done = compile_source(tmp_path, HEAD + "class F(FlowSpec):\n" + TAIL)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    for name in ("--set image=", "[tool.flowc.argo]", "FLOWC_ARGO_IMAGE", "datastore"):
        assert name in done.stderr, done.stderr


def test_names_are_kebab_case_and_long_ones_are_shortened_stably(tmp_path: Path) -> None:
    long_name = "A" + "VeryLong" * 10 + "Flow"
    source = HEAD + f"class {long_name}(FlowSpec):\n" + TAIL.replace("start(self)", "start(self)")
    first = compile_source(tmp_path, source, *SETTINGS)
    assert first.returncode == 0, first.stderr
    name = yaml.safe_load(first.stdout)["metadata"]["name"]
    assert len(name) <= 57 and name.startswith("a-very-long-very-long") and name[-7] == "-"
    again = compile_source(tmp_path, source, *SETTINGS)
    assert again.stdout == first.stdout  # same source, same bytes


@pytest.mark.parametrize("example", ["switch_in_foreach", "decorators"])
def test_compiling_twice_gives_the_same_bytes(example: str) -> None:
    runs = {subprocess.run([FLOWC, "compile", f"examples/{example}.py", "-t", "argo"], cwd=ROOT,
                           capture_output=True, timeout=60).stdout for _ in range(2)}
    assert len(runs) == 1 and runs != {b""}


def test_braces_in_kubernetes_values_are_flc201_and_env_braces_stay_with_the_shim(
        tmp_path: Path) -> None:
    source = HEAD.replace("step\n", "step, environment\n") + (
        "class F(FlowSpec):\n    @kubernetes(annotations={'note': '{{workflow.name}}'})\n" + TAIL)
    done = compile_source(tmp_path, source, *SETTINGS)
    assert done.returncode == 1 and "error[FLC201] @kubernetes on step 'start'" in done.stderr
    source = HEAD.replace("step\n", "step, environment\n") + (
        "class F(FlowSpec):\n    @environment(vars={'A': '{{workflow.uid}}', 'B': 'plain'})\n"
        + TAIL)
    done = compile_source(tmp_path, source, *SETTINGS)
    assert done.returncode == 0, done.stderr
    env = yaml.safe_load(done.stdout)["spec"]["templates"][1]["container"]["env"]
    assert env == [{"name": "B", "value": "plain"}]  # A is set by the shim from the IR


def test_s3_limits_set_for_the_flow_reach_every_task_s_environment(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.flowc]\ns3_deadline = 30\n")
    done = compile_source(tmp_path, HEAD + "class F(FlowSpec):\n" + TAIL, *SETTINGS,
                          "--set", "s3-max-attempts=2")
    assert done.returncode == 0, done.stderr
    template = yaml.safe_load(done.stdout)
    containers = [t["container"] for t in template["spec"]["templates"] if "container" in t]
    assert len(containers) == 2
    for container in containers:
        assert {"name": "FLOWC_S3_MAX_ATTEMPTS", "value": "2"} in container["env"]
        assert {"name": "FLOWC_S3_DEADLINE", "value": "30"} in container["env"]
    plain = compile_source(tmp_path / "..", HEAD + "class F(FlowSpec):\n" + TAIL, *SETTINGS)
    assert "FLOWC_S3" not in plain.stdout


def test_an_s3_limit_below_one_is_one_settings_error(tmp_path: Path) -> None:
    done = compile_source(tmp_path, HEAD + "class F(FlowSpec):\n" + TAIL, *SETTINGS,
                          "--set", "s3_deadline=0")
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "s3_deadline" in done.stderr and "at least 1" in done.stderr
