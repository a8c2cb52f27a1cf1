"""Capabilities are declared once and read generically: a target that lacks one reports FLC201
(a construct it cannot express) or FLC202 (a decorator it would ignore) at every use, with
what to do instead; `flowc compile` stops on FLC201 and names unknown targets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from flowc.compiler import check_file
from flowc.targets import COMPILE_TARGETS, get_target
from flowc.targets.base import TargetBase
from flowc.targets.capabilities import ALL, SPECS, Capability

ROOT = Path(__file__).resolve().parent.parent
FLOWC = str(Path(sys.executable).with_name("flowc"))


class Bare(TargetBase):
    name = "bare"


def problems(example: str, target: type[TargetBase] = Bare) -> list[tuple[str, int, str]]:
    checked = check_file(ROOT / "examples" / f"{example}.py", root=ROOT).checked
    assert checked is not None
    return [(d.code, d.span.line, d.message) for d in target.unsupported(checked)]


def test_every_capability_has_one_spec() -> None:
    assert [spec.capability for spec in SPECS] == list(Capability)


@pytest.mark.parametrize(("example", "capability", "code", "line"), [
    ("branch", "a static split / join", "FLC201", 12),
    ("foreach", "a foreach / join", "FLC201", 12),
    ("nested_foreach", "a foreach inside a foreach body", "FLC201", 18),
    ("switch", "a switch: step", "FLC201", 19),
    ("switch_loop", "a switch that loops back to its own step", "FLC201", 23),
    ("decorators", "@retry", "FLC202", 28),
    ("decorators", "@timeout", "FLC202", 29),
    ("decorators", "@resources / @kubernetes / @batch: @kubernetes", "FLC202", 37),
    ("decorators", "@secrets", "FLC202", 44),
    ("decorators", "@catch", "FLC202", 50),
    ("decorators", "@schedule", "FLC202", 24),
    ("decorators", "@project", "FLC202", 23),
    ("event_trigger", "@trigger / @trigger_on_finish", "FLC202", 7),
])
def test_a_target_without_the_capability_reports_it_where_it_is_used(
        example: str, capability: str, code: str, line: int) -> None:
    found = [(c, n) for c, n, message in problems(example) if capability in message]
    assert (code, line) in found, problems(example)


def test_the_hint_says_what_to_do_instead() -> None:
    gang = check_file(ROOT / "tests/runner_flows/parallel_gang.py").checked
    assert gang is not None
    [problem] = get_target("local").unsupported(gang)
    assert problem.code == "FLC201" and "foreach over range(n)" in problem.help


def test_a_target_supporting_everything_reports_nothing() -> None:
    class Full(TargetBase):
        name = "full"
        SUPPORTS = ALL

    for example in ("decorators", "nested_foreach", "switch_loop", "event_trigger"):
        assert problems(example, Full) == []


def test_the_local_target_warns_only_for_what_it_would_silently_skip() -> None:
    assert [(c, n) for c, n, _ in problems("decorators", get_target("local"))] == [
        ("FLC202", 44)]  # @secrets: a step that needs the secret would fail later


def test_every_compile_target_is_an_emitter() -> None:
    from flowc.targets.base import Emitter

    for name in COMPILE_TARGETS:
        assert issubclass(get_target(name), Emitter), name


@pytest.mark.parametrize(("args", "message"), [
    (["-t", "mermiad"], "unknown target 'mermiad'; did you mean 'mermaid'?"),
    (["-t", "local"], "'local' is not a compile target (it runs flows: use `flowc run`)"),
    (["-t", "all"], "--target all writes 6 files: give a directory with -o"),
])
def test_compile_usage_errors_are_one_line_and_exit_2(args: list[str], message: str) -> None:
    done = subprocess.run([FLOWC, "compile", "examples/hello.py", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"flowc: error: {message}\n"


def test_compile_stops_on_a_construct_the_target_cannot_express(tmp_path: Path) -> None:
    """FLC201 from the target, exit 1, nothing written."""
    done = subprocess.run([FLOWC, "run", "tests/runner_flows/parallel_gang.py", "--datastore",
                           str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "FLC201" in done.stderr
    assert not any(tmp_path.iterdir())
