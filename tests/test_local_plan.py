"""The local runner's planner, without processes: task granularity, joins, switches, loops,
and `shim_command` (the one command line every target uses)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flowc.targets.base import shim_command
from flowc.targets.local.plan import Outputs, PlanError, Planner, TaskKey

from flowc import compiler

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def planner(name: str) -> Planner:
    result = compiler.check_file(EXAMPLES / name)
    assert result.checked is not None, result.diagnostics
    return Planner(result.checked.flow, result.checked.graph)


def test_foreach_bodies_advance_independently() -> None:
    plan = planner("foreach_multistep_body.py")
    children = plan.after(plan.first(), Outputs(foreach_cardinality=3,
                                                foreach_indices=(0, 1, 2)))
    assert children == [TaskKey("tokenize", (i,)) for i in range(3)]
    # child 1 moves on while 0 and 2 have not finished: no step-wide barrier
    assert plan.after(TaskKey("tokenize", (1,)), Outputs()) == [TaskKey("count", (1,))]
    assert plan.after(TaskKey("count", (1,)), Outputs()) == [TaskKey("classify", (1,))]
    assert plan.after(TaskKey("classify", (1,)), Outputs()) == []
    assert plan.after(TaskKey("classify", (0,)), Outputs()) == []
    assert plan.after(TaskKey("classify", (2,)), Outputs()) == [TaskKey("join")]


def test_nested_foreach_join_waits_only_for_its_own_children() -> None:
    plan = planner("nested_foreach.py")
    assert plan.after(TaskKey("start"), Outputs(foreach_cardinality=2)) == [
        TaskKey("year", (0,)), TaskKey("year", (1,))]
    plan.after(TaskKey("year", (0,)), Outputs(foreach_cardinality=1))
    plan.after(TaskKey("year", (1,)), Outputs(foreach_cardinality=1))
    assert plan.after(TaskKey("quarter", (1, 0)), Outputs(foreach_cardinality=2)) == [
        TaskKey("month", (1, 0, 0)), TaskKey("month", (1, 0, 1))]
    assert plan.after(TaskKey("month", (1, 0, 1)), Outputs()) == []
    assert plan.after(TaskKey("month", (1, 0, 0)), Outputs()) == [TaskKey("join_months", (1, 0))]
    assert plan.after(TaskKey("join_months", (1, 0)), Outputs()) == [
        TaskKey("join_quarters", (1,))]


def test_switch_runs_only_the_chosen_case_and_loops_by_iteration() -> None:
    plan = planner("switch.py")
    assert plan.after(TaskKey("start"), Outputs(switch_choice="mild")) == [TaskKey("relax")]
    with pytest.raises(PlanError, match="tepid"):
        plan.after(TaskKey("start"), Outputs(switch_choice="tepid"))
    loop = planner("switch_loop.py")
    assert loop.after(TaskKey("increment"), Outputs(switch_choice="again")) == [
        TaskKey("increment", (), 1)]
    assert loop.after(TaskKey("increment", (), 1), Outputs(switch_choice="done")) == [
        TaskKey("end")]


def test_static_split_join_counts_one_arrival_per_branch() -> None:
    plan = planner("branch.py")
    branches = plan.after(plan.first(), Outputs())
    assert len(branches) >= 2
    arrivals = [plan.after(key, Outputs()) for key in branches]
    assert all(not ready for ready in arrivals[:-1])
    assert len(arrivals[-1]) == 1


def test_outputs_parse_takes_the_last_line() -> None:
    outputs = Outputs.parse('noise\n{"task_id": "t", "foreach_cardinality": 2, '
                            '"foreach_indices": [0, 1], "switch_choice": ""}\n')
    assert outputs.foreach_indices == (0, 1)
    with pytest.raises(PlanError):
        Outputs.parse("")


def test_task_key_labels() -> None:
    assert str(TaskKey("train", (3,))) == "train[3]"
    assert str(TaskKey("loop", (), 2)) == "loop@2"
    assert TaskKey("m", (0, 2), 4).task_id == "t.0.2@4"


def test_shim_command_concrete_and_placeholders() -> None:
    argv = shim_command(run_id="r1", step="train", datastore="/ds", code_package="abc",
                        index_path=(0, 2), retry_count=1, params={"alpha": "0.5"})
    assert argv == ("python", "-P", "-m", "flowc.runtime_shim", "step", "train", "--run-id", "r1",
                    "--datastore", "/ds", "--code-package", "abc", "--index-path", "0,2",
                    "--retry-count", "1", "--param", "alpha=0.5")
    templated = shim_command(run_id="{{workflow.name}}", step="s", datastore="s3://b",
                             code_dir="/code", index_path="{{inputs.parameters.ip}}",
                             iteration="{{inputs.parameters.it}}",
                             retry_count="{{retries}}", outputs_dir="/tmp/out")
    assert "--index-path" in templated and "{{retries}}" in templated
    assert templated[-2:] == ("--outputs-dir", "/tmp/out")
    with pytest.raises(ValueError):
        shim_command(run_id="r", step="s", datastore="d")


def test_local_target_flags_and_unsupported_parallel() -> None:
    from flowc.targets import get_target
    from flowc.targets.capabilities import Capability
    from flowc.targets.local.target import LocalTarget

    assert get_target("local") is LocalTarget
    assert Capability.SWITCH_LOOP in LocalTarget.SUPPORTS
    with pytest.raises(KeyError, match="did you mean 'local'"):
        get_target("locl")
    checked = compiler.check_file(Path(__file__).parent / "runner_flows/parallel_gang.py").checked
    assert checked is not None
    assert [d.code for d in LocalTarget.unsupported(checked)] == ["FLC201"]
    example = compiler.check_file(EXAMPLES / "foreach.py").checked
    assert example is not None and LocalTarget.unsupported(example) == []
