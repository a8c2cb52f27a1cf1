"""The authoring API in-process: decorators, Parameter, FlowSpec binding, current, the
metaflow alias, merge semantics, and that importing the API (and a task) stays light."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from flowc.runtime_shim import api, metaflow_alias
from flowc.runtime_shim.api import FlowSpec, JSONType, Parameter, current, step
from flowc.runtime_shim.decorators import RecordedDecorator, recorded
from flowc.runtime_shim.errors import UserError
from flowc.runtime_shim.inputs import merged_refs
from flowc.runtime_shim.records import ArtifactRef, TaskRecord

import flowc

HEAVY = ("libcst", "click", "hera", "yaml", "jinja2", "numpy", "boto3", "botocore", "metaflow")


@api.schedule(cron="0 3 * * *", timezone="Europe/Paris")
@api.project(name="demo")
class DemoFlow(FlowSpec):
    alpha = Parameter("alpha", default=0.5, type=float)
    config = Parameter("config", default="{}", type=JSONType)

    @step(start=True)
    def begin(self) -> None:
        self.next(self.finish)

    @api.retry(times=3, minutes_between_retries=1)
    @api.catch(var="error")
    @api.resources(cpu=2)
    @step(end=True)
    def finish(self) -> None:
        pass


class FakeBinding:
    """A TaskBinding that records what the FlowSpec delegates to it."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def artifact(self, name: str) -> Any:
        if name == "inherited":
            return [1, 2]
        raise AttributeError(f"no artifact '{name}'")

    def parameter(self, attribute: str) -> Any:
        return {"alpha": 0.25}[attribute]

    def next(self, *args: Any) -> None:
        self.calls.append(("next", *args))

    def input(self) -> Any:
        return "item"

    def index(self) -> int:
        return 4

    def foreach_stack(self) -> list[tuple[int, int, Any]]:
        return [(4, 5, "item")]

    def merge_artifacts(self, flow: FlowSpec, inputs: Any, include: Any, exclude: Any) -> None:
        self.calls.append(("merge", inputs, include, exclude))


def _bound() -> tuple[DemoFlow, FakeBinding]:
    flow = DemoFlow.__new__(DemoFlow)
    binding = FakeBinding()
    flow.__dict__[api.BINDING_ATTRIBUTE] = binding
    return flow, binding


def test_decorators_record_their_arguments_in_source_order() -> None:
    assert [d.name for d in recorded(DemoFlow.finish)] == ["retry", "catch", "resources"]
    assert recorded(DemoFlow.finish, "retry")[0].kwargs == {
        "times": 3, "minutes_between_retries": 1}
    assert recorded(DemoFlow) == (
        RecordedDecorator("schedule", (), {"cron": "0 3 * * *", "timezone": "Europe/Paris"}),
        RecordedDecorator("project", (), {"name": "demo"}),
    )
    assert DemoFlow.begin.__flowc_step__ == {"start": True, "end": False}  # type: ignore[attr-defined]
    assert DemoFlow.finish.is_step  # type: ignore[attr-defined]

    @api.timeout
    @step
    def bare(self: Any) -> None:
        pass

    assert recorded(bare) == (RecordedDecorator("timeout"),)
    with pytest.raises(TypeError, match="@step takes no positional arguments"):
        step("start")


def test_parameters_are_read_only_descriptors() -> None:
    assert isinstance(DemoFlow.alpha, Parameter) and DemoFlow.alpha.attribute == "alpha"
    flow, _ = _bound()
    assert flow.alpha == 0.25
    with pytest.raises(AttributeError, match="parameter 'alpha' is read-only"):
        flow.alpha = 1.0  # type: ignore[misc]
    unbound = DemoFlow(use_cli=False)
    assert unbound.alpha == 0.5
    assert repr(JSONType) == "JSONType" and JSONType.convert('{"a": 1}') == {"a": 1}


def test_bound_flowspec_delegates_to_the_task() -> None:
    flow, binding = _bound()
    flow.score = 3
    assert flow.score == 3 and flow.inherited == [1, 2]
    assert flow.__dict__["inherited"] == [1, 2]  # cached after the first read
    with pytest.raises(AttributeError, match="no artifact 'missing'"):
        _ = flow.missing
    flow.next(flow.finish)
    flow.next({"a": flow.begin, "b": flow.finish}, condition="choice")
    assert binding.calls == [
        ("next", ("finish",), None, None, None),
        ("next", ({"a": "begin", "b": "finish"},), None, "choice", None),
    ]
    assert (flow.input, flow.index, flow.foreach_stack()) == ("item", 4, [(4, 5, "item")])
    flow.merge_artifacts(["inputs"], exclude=["x"])
    assert binding.calls[-1] == ("merge", ["inputs"], (), ("x",))
    with pytest.raises(TypeError, match="expects steps"):
        flow.next("finish")  # type: ignore[arg-type]


def test_unbound_flowspec_prints_a_hint(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        DemoFlow()
    assert exit_info.value.code == 0
    assert "DemoFlow is a flowc flow: run it with `flowc run" in capsys.readouterr().out
    with pytest.raises(RuntimeError, match="not running a task"):
        DemoFlow(use_cli=False).next()


def test_current_outside_a_task() -> None:
    assert current.is_running_flow is False
    assert (current.flow_name, current.pathspec, current.retry_count) == (None, None, 0)
    assert repr(current) == "current(is_running_flow=False)"


def test_flowc_reexports_the_api() -> None:
    for name in api.__all__:
        assert getattr(flowc, name) is getattr(api, name)


def test_metaflow_alias_module(monkeypatch: pytest.MonkeyPatch) -> None:
    # setitem restores sys.modules afterwards (a real Metaflow, or no entry at all)
    monkeypatch.setitem(sys.modules, "metaflow", None)  # type: ignore[arg-type]
    module = metaflow_alias.install()
    assert sys.modules["metaflow"] is module and metaflow_alias.is_installed()
    assert module.FlowSpec is FlowSpec and module.step is step and module.current is current
    card = module.card  # an unknown lowercase decorator: recorded, opaque

    @card(type="blank")
    def fn() -> None:
        pass

    assert recorded(fn) == (RecordedDecorator("card", (), {"type": "blank"}),)
    with pytest.raises(AttributeError):
        _ = module.S3
    assert metaflow_alias.install() is module
    # a flow-level construct flowc cannot run: importable, refused by name when used
    with pytest.raises(NotImplementedError, match=r"does not support metaflow\.IncludeFile: "
                       "pass the file's path as a Parameter"):
        module.IncludeFile("movie_data", default="movies.csv")


def test_alias_name_lists_match_their_sources() -> None:
    """The alias keeps a short list of client names (so building it imports nothing more);
    it must name only what the results client defines."""
    from flowc.runtime_shim import client

    assert set(client.__all__) >= metaflow_alias.CLIENT_NAMES
    assert all(hasattr(client, name) for name in metaflow_alias.CLIENT_NAMES)


def _record(step: str, task: str, **hashes: str) -> TaskRecord:
    refs = {name: ArtifactRef(hash=h * 64, size=1, type="int") for name, h in hashes.items()}
    index = () if task == "t" else (int(task[2:]),)
    return TaskRecord(flow="F", run_id="r", step=step, task_id=task, index_path=index,
                      artifacts=refs)


def test_merge_semantics() -> None:
    a = _record("a", "t", same="1", only_a="2", differ="3")
    b = _record("b", "t", same="1", differ="4")
    with pytest.raises(UserError, match=r"artifact 'differ' \(a/t vs b/t\) has different"):
        merged_refs("join", [a, b], set_here={})
    merged = merged_refs("join", [a, b], set_here={"differ": 0})
    assert sorted(merged) == ["only_a", "same"]
    assert sorted(merged_refs("join", [a, b], set_here={}, exclude=["differ"])) == [
        "only_a", "same"]
    assert list(merged_refs("join", [a, b], set_here={}, include=["same"])) == ["same"]
    with pytest.raises(UserError, match="'nope' in include= is not set by any input"):
        merged_refs("join", [a, b], set_here={}, include=["nope"])
    with pytest.raises(UserError, match="include or exclude, not both"):
        merged_refs("join", [a, b], set_here={}, include=["same"], exclude=["differ"])


@pytest.mark.parametrize(
    "module", ["flowc.runtime_shim.api", "flowc", "flowc.runtime_shim.execute"])
def test_imports_stay_light(module: str) -> None:
    code = (f"import sys, {module}; "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=60)
    assert done.stdout.strip() == "[]"


def test_orchestrator_outputs_are_a_function_of_the_record() -> None:
    from flowc.runtime_shim.outputs import orchestrator_outputs

    fanout = TaskRecord(flow="F", run_id="r", step="s", task_id="t.1", index_path=(1,),
                        foreach_cardinality=3)
    assert orchestrator_outputs(fanout) == {
        "task_id": "t.1", "foreach_cardinality": 3, "foreach_indices": [0, 1, 2],
        "switch_choice": "", "switch_target": ""}
    switch = TaskRecord(flow="F", run_id="r", step="s", task_id="t@2", iteration=2,
                        switch_choice="again", switch_target="s")
    assert orchestrator_outputs(switch) == {
        "task_id": "t@2", "foreach_cardinality": 0, "foreach_indices": [],
        "switch_choice": "again", "switch_target": "s"}


def test_inputs_by_step_name_even_for_names_like_count() -> None:
    from flowc.runtime_shim.inputs import Inputs, InputTask

    records = [_record("count", "t"), _record("index", "t"), _record("records", "t")]
    inputs = Inputs(records, store=None)  # type: ignore[arg-type]
    assert len(inputs) == 3 and [type(task) for task in inputs] == [InputTask] * 3
    assert inputs.count is inputs[0] and inputs.index is inputs[1]
    assert inputs.records is inputs[2]
    with pytest.raises(AttributeError, match="no input from step 'other'"):
        _ = inputs.other
    with pytest.raises(AttributeError, match="has no artifact 'x'"):
        _ = inputs[0].x
    with pytest.raises(AttributeError, match="read-only"):
        inputs[0].x = 1
