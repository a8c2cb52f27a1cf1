"""Typed settings (flowc.compiler.ir.decorators) and the one known-decorator table.

The per-keyword tests are generated from the table (`DECORATOR_SPECS`), so a keyword added
to it without being read into the settings, or without the FLC203 check, fails here.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from flowc.compiler import check_source, ir
from flowc.compiler.frontend.decorators import KNOWN_DECORATORS as FRONTEND_KNOWN
from flowc.compiler.frontend.imports import STAR_NAMES
from flowc.compiler.ir.decorators import (
    Catch,
    Event,
    FlowSettings,
    Resources,
    Retry,
    Schedule,
    SettingsError,
    StepSettings,
    Timeout,
    flow_settings,
    step_settings,
)
from flowc.compiler.ir.known_decorators import (
    API_DECORATORS,
    DECORATOR_SPECS,
    KNOWN_DECORATORS,
    DecoratorSpec,
)
from flowc.runtime_shim import api
from flowc.runtime_shim import decorators as shim_decorators
from flowc.targets.local.policy import policies

import flowc

ROOT = Path(__file__).resolve().parent.parent
TYPED = [(spec, keyword) for spec in DECORATOR_SPECS.values() if spec.typed
         for keyword in spec.keywords]
# What each decorator needs besides the keyword under test to be valid.
BASE: dict[str, dict[str, ir.JsonValue]] = {
    "timeout": {"seconds": 60}, "project": {"name": "p"}, "trigger": {"event": "e"},
    "trigger_on_finish": {"flow": "F"},
}
EXCLUSIVE = {"event": "events", "events": "event", "flow": "flows", "flows": "flow"}
# Candidate literals; the tests use the first ones a keyword accepts.
CANDIDATES: tuple[ir.JsonValue, ...] = (
    1, 2, 2.5, "a", "b", "a=b", "c=d", True, False, {"a": "b"}, {"c": "d"}, ("a",), ("b",),
    ({"key": "a"},), ({"key": "b"},),
)


def _id(case: tuple[DecoratorSpec, str]) -> str:
    return f"{case[0].name}.{case[1]}"


def _base(spec: DecoratorSpec, keyword: str) -> dict[str, ir.JsonValue]:
    return {k: v for k, v in BASE.get(spec.name, {}).items()
            if k != keyword and k != EXCLUSIVE.get(keyword)}


def _decorator(name: str, arguments: dict[str, ir.JsonValue]) -> ir.Decorator:
    span = ir.Span(path="f.py", line=1, col=1, end_line=1, end_col=2)
    return ir.Decorator(name=name, known=True, span=span, arguments=tuple(
        ir.Argument(keyword=k, value=ir.Value(source=repr(v), is_literal=True, value=v,
                                              span=span)) for k, v in arguments.items()))


def _settings(spec: DecoratorSpec, arguments: dict[str, ir.JsonValue]) -> object:
    decorator = _decorator(spec.name, arguments)
    span = decorator.span
    if spec.on_class:
        return flow_settings(ir.Flow(name="F", path="f.py", decorators=(decorator,), span=span))
    return step_settings(ir.Step(name="start", decorators=(decorator,), span=span))


@pytest.mark.parametrize("case", TYPED, ids=_id)
def test_every_keyword_reaches_the_settings(case: tuple[DecoratorSpec, str]) -> None:
    """Two accepted values of the keyword give two different settings: it is read."""
    spec, keyword = case
    accepted = [v for v in CANDIDATES if spec.keywords[keyword](v) is None]
    results = [_settings(spec, {**_base(spec, keyword), keyword: v}) for v in accepted]
    assert any(a != b for a, b in itertools.combinations(results, 2)), (
        f"@{spec.name}({keyword}=...) never changes the typed settings")


@pytest.mark.parametrize("case", TYPED, ids=_id)
def test_non_static_value_is_flc203_at_the_argument(case: tuple[DecoratorSpec, str]) -> None:
    spec, keyword = case
    others = "".join(f", {k}={v!r}" for k, v in _base(spec, keyword).items())
    decorator = f"@fc.{spec.name}({keyword}=os.getcwd(){others})"
    source = (f"import os\nimport flowc as fc\n\n{decorator if spec.on_class else ''}\n"
              f"class F(fc.FlowSpec):\n    {'' if spec.on_class else decorator}\n"
              "    @fc.step\n    def start(self):\n        self.next(self.end)\n\n"
              "    @fc.step\n    def end(self):\n        pass\n")
    line = 4 if spec.on_class else 6
    col = source.splitlines()[line - 1].index("os.getcwd()") + 1
    result = check_source(source, path="f.py")
    assert [(d.code, d.span.line, d.span.col) for d in result.diagnostics] == [
        ("FLC203", line, col)]


@pytest.mark.parametrize("name", [s.name for s in DECORATOR_SPECS.values() if not s.typed])
def test_untyped_known_decorators_keep_non_static_values(name: str) -> None:
    keyword = next(iter(DECORATOR_SPECS[name].keywords))
    source = (f"import os\nimport flowc as fc\n\nclass F(fc.FlowSpec):\n"
              f"    @fc.{name}({keyword}=os.getcwd())\n    @fc.step\n    def start(self):\n"
              "        self.next(self.end)\n\n    @fc.step\n    def end(self):\n        pass\n")
    result = check_source(source, path="f.py")
    assert result.checked is not None, result.diagnostics
    assert step_settings(result.checked.flow.steps[0]).opaque[0].name == name


def test_settings_refuse_a_value_they_cannot_know() -> None:
    """An unchecked flow never gets a default in place of a value it did not resolve."""
    span = ir.Span(path="f.py", line=3, col=7, end_line=3, end_col=12)
    retry = ir.Decorator(name="retry", known=True, span=span, arguments=(ir.Argument(
        keyword="times", value=ir.Value(source="TIMES", is_literal=False, span=span)),))
    with pytest.raises(SettingsError, match=r"f.py:3:7: @retry\(times=...\) is not static"):
        step_settings(ir.Step(name="start", decorators=(retry,), span=span))


def test_example_settings() -> None:
    checked = check_source((ROOT / "examples" / "decorators.py").read_text(),
                           path="examples/decorators.py").checked
    assert checked is not None
    steps = {s.name: step_settings(s) for s in checked.flow.steps}
    assert steps["start"].retry == Retry(times=2, delay_s=60)
    assert steps["start"].timeout == Timeout(seconds=600)
    assert steps["train"].resources == Resources(cpu=2.0, memory_mb=4096, gpu=0)
    assert steps["train"].environment.variables == (("TRAINING_MODE", "demo"),)
    assert steps["train"].kubernetes is not None
    assert steps["train"].kubernetes.image == "python:3.11-slim"
    assert steps["score"].batch is not None and steps["score"].batch.queue == "scoring"
    assert steps["score"].secrets.sources == ("scoring-api-key",)
    assert steps["audit"].catch == Catch(var="audit_error", print_exception=True)
    assert steps["end"] == StepSettings()
    assert flow_settings(checked.flow).schedule == Schedule(cron="30 6 * * 1-5",
                                                            timezone="Europe/Paris")


@pytest.mark.parametrize(("decorators", "expected"), [
    ({"retry": {}}, {"retry": Retry(times=3, delay_s=120)}),  # Metaflow's bare @retry
    ({"retry": {"times": 0, "minutes_between_retries": 0.5}},
     {"retry": Retry(times=0, delay_s=30)}),
    ({"retry": {"minutes_between_retries": 0.001}}, {"retry": Retry(times=3, delay_s=1)}),
    ({"retry": {"minutes_between_retries": 0.1}}, {"retry": Retry(times=3, delay_s=6)}),
    ({"timeout": {"seconds": 5, "minutes": 1, "hours": 1}}, {"timeout": Timeout(seconds=3665)}),
    ({"catch": {}}, {"catch": Catch(var=None, print_exception=True)}),
    # Metaflow's merge: the largest of each value, the defaults when none asks
    ({"resources": {"cpu": 4, "memory": 1000}, "kubernetes": {"cpu": 2, "memory": 8000, "disk": 5},
      "batch": {"gpu": 1, "shared_memory": 64}},
     {"resources": Resources(cpu=4.0, memory_mb=8000, gpu=1, disk_mb=5, shared_memory_mb=64)}),
    ({"resources": {"memory": 1000}}, {"resources": Resources(memory_mb=1000)}),
])
def test_step_settings_rules(decorators: dict[str, dict[str, ir.JsonValue]],
                             expected: dict[str, object]) -> None:
    step = ir.Step(name="s", span=_decorator("x", {}).span,
                   decorators=tuple(_decorator(n, a) for n, a in decorators.items()))
    settings = step_settings(step)
    assert {key: getattr(settings, key) for key in expected} == expected


@pytest.mark.parametrize(("arguments", "expected"), [
    ({}, Schedule(cron="0 0 * * *")),  # Metaflow: daily unless told otherwise
    ({"hourly": True, "timezone": "UTC"}, Schedule(cron="0 * * * *", timezone="UTC")),
    ({"weekly": True, "hourly": True}, Schedule(cron="0 0 * * 0")),
    ({"daily": False}, None),
])
def test_schedule_shortcuts(arguments: dict[str, ir.JsonValue], expected: Schedule | None) -> None:
    assert _settings(DECORATOR_SPECS["schedule"], arguments) == FlowSettings(schedule=expected)


def test_trigger_event_parameters_sorted() -> None:
    settings = _settings(DECORATOR_SPECS["trigger"], {"events": (
        "plain", {"name": "x", "parameters": ("b", ("a", "field"))})})
    assert isinstance(settings, FlowSettings) and settings.trigger is not None
    assert settings.trigger.events == (
        Event(name="plain"), Event(name="x", parameters=(("a", "field"), ("b", "b"))))


def test_one_known_decorator_list() -> None:
    """Every list of decorator names derives from the table, or is checked against it."""
    assert FRONTEND_KNOWN is KNOWN_DECORATORS
    assert KNOWN_DECORATORS <= STAR_NAMES
    exported = {n for n in dir(shim_decorators) if n in KNOWN_DECORATORS}
    assert exported == set(API_DECORATORS)
    assert set(API_DECORATORS) <= set(api.__all__) and set(API_DECORATORS) <= set(flowc.__all__)
    assert {n for n in api.__all__ if n in KNOWN_DECORATORS} == set(API_DECORATORS)


def test_local_policy_reads_the_settings() -> None:
    checked = check_source((ROOT / "examples" / "decorators.py").read_text(),
                           path="examples/decorators.py").checked
    assert checked is not None
    policy = policies(checked.flow)["start"]
    assert (policy.retries, policy.retry_delay, policy.timeout) == (2, 60.0, 600.0)


def test_run_refuses_a_value_it_cannot_know(tmp_path: Path) -> None:
    """The issue's case: `flowc run` no longer runs @retry(times=TIMES) with 3 retries."""
    from click.testing import CliRunner

    from flowc.cli import main

    flow = tmp_path / "flow.py"
    flow.write_text("from flowc import FlowSpec, retry, step\nfrom settings import TIMES\n\n"
                    "class F(FlowSpec):\n    @retry(times=TIMES)\n    @step\n"
                    "    def start(self):\n        self.next(self.end)\n\n"
                    "    @step\n    def end(self):\n        pass\n")
    result = CliRunner().invoke(main, ["run", str(flow), "--datastore", str(tmp_path / "ds")])
    assert result.exit_code == 1, result.output
    assert "flow.py:5:18: error[FLC203]" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "ds").exists()


def test_shim_refuses_an_unchecked_value_and_loads_settings_only_when_needed() -> None:
    import subprocess
    import sys

    from flowc.runtime_shim import execute
    from flowc.runtime_shim.errors import UsageError

    span = ir.Span(path="f.py", line=3, col=7, end_line=3, end_col=12)
    timeout = ir.Decorator(name="timeout", known=True, span=span, arguments=(ir.Argument(
        keyword="seconds", value=ir.Value(source='int("5")', is_literal=False, span=span)),))
    with pytest.raises(UsageError, match=r"not checked: f.py:3:7: @timeout\(seconds=...\)"):
        execute._settings(ir.Step(name="start", decorators=(timeout,), span=span))
    assert execute._settings(ir.Step(name="start", span=span)) is None
    loaded = subprocess.run(
        [sys.executable, "-P", "-c", "import sys, flowc.runtime_shim.execute, flowc; "
         "print(sorted(m for m in sys.modules if 'decorators' in m and 'compiler' in m))"],
        capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"  # an undecorated step's task never loads the settings
