"""Differential test of the runtime: a flow's artifacts after a run are the same whether
Metaflow's own local runtime or flowc ran it.

Every example Metaflow can run locally, plus the adversarial flows under tests/differential/,
runs twice: once with `python flow.py run` (the flow's `flowc` imports rewritten to
`metaflow`, local datastore and metadata in a temporary directory) and once with `flowc run`.
For every step we compare the number of tasks and, for every task (matched by its foreach
index path, and by its order among the iterations of a switch loop), every user artifact:
same names, same types, same values, same dict key order (which exposes `inputs` order).
Metaflow-internal names (`_...`, `name`) are ignored. A `@catch` exception record is compared
as (exception class name, message), the only fields both runtimes define the same way.

All runs start at once on a pool of three (each its own processes) before the first
comparison. The module is CPU-bound, about 110 s of CPU in all, 90 % of it Metaflow's
(~0.35 s per Metaflow task): about 55 s on two idle cores.
"""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flowc.runtime_shim.caught import CaughtException

from flowc.client import Flow

ROOT = Path(__file__).resolve().parent.parent
DIFFERENTIAL = Path(__file__).resolve().parent / "differential"
FLOWC = str(Path(sys.executable).with_name("flowc"))

# Examples Metaflow cannot run on this machine: the reason, and the words of Metaflow's
# refusal (test_excluded_examples_are_refused_by_metaflow checks that it still refuses).
EXCLUDED = {
    "decorators": ("@batch sends `score` to AWS Batch, which needs an S3 datastore and AWS "
                   "credentials (and @secrets an AWS secrets manager): Metaflow's local run "
                   "refuses it before any task starts", "requires --datastore=s3"),
}

# Parameters given to both runtimes on the command line, per flow file stem.
PARAMS: dict[str, dict[str, str]] = {
    "switch": {"temperature": "12"},
    "diff_parameters": {"words": "a;b;;c", "config": '{"depth": 2, "names": ["x", "y"]}',
                        "scale": "2.5"},
}

# Deliberate difference: the order of a join's `inputs` when the join has several in-steps.
# Metaflow's local runtime collects the input tasks by iterating over a `set` of in-step
# names (metaflow/runtime.py, `_queue_task_join`: `direct_parents = set(in_funcs)`), so the
# order depends on the interpreter's string hash seed: for a static split it is not the
# order of `self.next(...)`, and for a foreach join fed by two switch cases the inputs come
# grouped by in-step, not in foreach order (run it with PYTHONHASHSEED=0 and =2 to see both).
# flowc's order is deterministic and documented (runtime_shim/inputs.py): foreach index order
# for a foreach join, the join's in-steps in source order for a static split. For these
# artifacts we assert flowc's exact value and that Metaflow's is a permutation of it.
# (Metaflow runs with PYTHONHASHSEED=0 so that this test is deterministic.)
INPUT_ORDER: dict[str, dict[str, Any]] = {
    "diff_split_in_foreach": {"sides": ["left", "middle", "right"]},
    "diff_switch_in_split": {"order": ["y ran", "repeat ran"]},
    "diff_switch_to_join": {
        "numbers_seen": [5, 2, 7, 4, 6],
        "results": {"5": 16, "2": 1, "7": 22, "4": 2, "6": 3},
    },
}

# Deliberate difference: the `type` of a `@catch` record. Metaflow's MetaflowExceptionWrapper
# holds "module.Class" ("builtins.ZeroDivisionError"); flowc's CaughtException holds the bare
# name for a builtin exception ("ZeroDivisionError", runtime_shim/caught.py, asserted by
# tests/test_shim.py, so changing it is the shim owner's call). `exception` (the message) is
# the same in both and is compared through `normalize`.
# Per flow: artifact -> (flowc's value, Metaflow's value), both asserted exactly.
DIFFERENT: dict[str, dict[str, tuple[Any, Any]]] = {
    "diff_catch": {"kinds": ([None, "ZeroDivisionError", None, None],
                             [None, "builtins.ZeroDivisionError", None, None])},
}

Artifacts = dict[str, Any]
TaskKey = tuple[tuple[int, ...], int]  # (foreach index path, iteration among equal paths)
Results = dict[str, dict[TaskKey, Artifacts]]


@dataclass(frozen=True, slots=True)
class Case:
    path: Path
    flow: str

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def cli_params(self) -> dict[str, str]:
        return PARAMS.get(self.stem, {})


def _flow_name(path: Path) -> str:
    names = re.findall(r"^class (\w+)\((?:\w+\.)?FlowSpec\)", path.read_text(), flags=re.M)
    assert len(names) == 1, f"{path.name}: expected one flow class, found {names}"
    return str(names[0])


def _cases() -> list[Case]:
    examples = [p for p in sorted((ROOT / "examples").glob("*.py")) if p.stem not in EXCLUDED]
    flows = sorted(DIFFERENTIAL.glob("diff_*.py"))
    return [Case(path, _flow_name(path)) for path in [*examples, *flows]]


CASES = _cases()
pytestmark = pytest.mark.slow


def as_metaflow(source: str) -> str:
    """The flow with its `flowc` imports rewritten to `metaflow`."""
    source = re.sub(r"^(\s*)from flowc(\.\w+)* import", r"\1from metaflow import", source,
                    flags=re.M)
    return re.sub(r"^(\s*)import flowc\b", r"\1import metaflow", source, flags=re.M)


def normalize(value: Any) -> Any:
    """A `@catch` record becomes ("caught", class name, message); anything else is kept."""
    if isinstance(value, CaughtException):
        return ("caught", value.type.rsplit(".", 1)[-1], value.message)
    if type(value).__name__ == "MetaflowExceptionWrapper":
        return ("caught", value.type.rsplit(".", 1)[-1], value.exception)
    return value


def _keyed(tasks: list[tuple[tuple[int, ...], int, Artifacts]]) -> dict[TaskKey, Artifacts]:
    """Tasks keyed by (index path, rank of their order key among tasks of that path)."""
    keyed: dict[TaskKey, Artifacts] = {}
    for path, _, artifacts in sorted(tasks, key=lambda t: (t[0], t[1])):
        iteration = sum(1 for key in keyed if key[0] == path)
        keyed[(path, iteration)] = artifacts
    return keyed


def is_user_artifact(name: str) -> bool:
    return not name.startswith("_") and name != "name"


# Runs inside a subprocess whose environment points Metaflow at a private directory (its
# configuration is read once, when `metaflow` is first imported): run the flow with
# `python flow.py run`, then read every task back with Metaflow's client and pickle
# (step -> [(index path, task id, artifacts)]).
_METAFLOW_DRIVER = r"""
import pickle, subprocess, sys
from pathlib import Path
flow_file, flow_name, out, *params = sys.argv[1:]
id_file = Path(out).with_suffix(".runid")
proc = subprocess.run([sys.executable, flow_file, "--no-pylint", "run", "--max-workers", "2",
                       "--run-id-file", str(id_file), *params], capture_output=True, text=True)
if proc.returncode:
    Path(out).write_bytes(pickle.dumps(("failed", proc.stdout + proc.stderr)))
    sys.exit(0)
import metaflow
metaflow.namespace(None)
run = metaflow.Run(flow_name + "/" + id_file.read_text().strip())
steps = {}
for step in run:
    tasks = []
    for task in step:
        stack = task["_foreach_stack"].data if "_foreach_stack" in task else []
        data = {a.id: a.data for a in task}
        tasks.append((tuple(frame.index for frame in stack), int(task.id), data))
    steps[step.id] = tasks
Path(out).write_bytes(pickle.dumps(("ok", steps)))
"""


def _metaflow_params(params: dict[str, str]) -> list[str]:
    return [arg for name, value in params.items() for arg in (f"--{name}", value)]


def metaflow_payload(case: Case, workdir: Path) -> tuple[str, Any]:
    """Run the flow with Metaflow's local runtime: ("ok", step -> [(index path, task id,
    artifacts)]) or ("failed", Metaflow's output)."""
    workdir.mkdir(parents=True)
    source = case.path.read_text(encoding="utf-8")
    flow_file = workdir / case.path.name
    flow_file.write_text(as_metaflow(source), encoding="utf-8")
    out = workdir / "result.pickle"
    env = {
        **os.environ, "METAFLOW_HOME": str(workdir / "home"), "USERNAME": "differential",
        "METAFLOW_DEFAULT_DATASTORE": "local", "METAFLOW_DEFAULT_METADATA": "local",
        "METAFLOW_DATASTORE_SYSROOT_LOCAL": str(workdir / "ds"), "PYTHONHASHSEED": "0",
    }
    driver = subprocess.run([sys.executable, "-c", _METAFLOW_DRIVER, str(flow_file), case.flow,
                             str(out), *_metaflow_params(case.cli_params)],
                            cwd=workdir, env=env, capture_output=True, text=True, timeout=240)
    assert driver.returncode == 0, f"reading Metaflow's run failed:\n{driver.stderr[-4000:]}"
    status, payload = pickle.loads(out.read_bytes())
    return status, payload


def run_metaflow(case: Case, workdir: Path) -> Results:
    """Run the flow with Metaflow's local runtime; its tasks keyed by index path."""
    status, payload = metaflow_payload(case, workdir)
    assert status == "ok", f"Metaflow failed to run {case.path.name}:\n{payload[-4000:]}"
    return {step: _keyed([(path, order, {k: normalize(v) for k, v in data.items()
                                         if is_user_artifact(k)})
                          for path, order, data in tasks])
            for step, tasks in payload.items()}


def run_flowc(case: Case, workdir: Path) -> Results:
    """Run the flow with `flowc run`; its tasks keyed by index path."""
    datastore = workdir / "ds"
    datastore.mkdir(parents=True)
    params = [arg for name, value in case.cli_params.items()
              for arg in ("--param", f"{name}={value}")]
    proc = subprocess.run([FLOWC, "run", str(case.path), "--datastore", str(datastore),
                           "--run-id", "differential", "--max-workers", "2", *params],
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, (
        f"flowc failed to run {case.path.name}:\n{proc.stdout}{proc.stderr}")
    run = Flow(case.flow, datastore=str(datastore))["differential"]
    results: Results = {}
    for step in run.steps():
        tasks = [(task.index_path, task.iteration,
                  {name: normalize(task[name].data) for name in task.record.artifacts
                   if is_user_artifact(name)})
                 for task in step.tasks()]
        results[step.name] = _keyed(tasks)
    return results


@pytest.fixture(scope="module")
def both_runs(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, tuple[Future[Any], Future[Any]]]]:
    """Every run started at once on a small pool; each test waits for its own pair
    (Metaflow's future, flowc's future; flowc's is None for an excluded example)."""
    base = tmp_path_factory.mktemp("runtime_agreement")
    pool = ThreadPoolExecutor(max_workers=3)
    futures: dict[str, tuple[Future[Any], Future[Any]]] = {}
    for case in sorted(CASES, key=lambda c: c.stem not in SLOW):  # longest first
        futures[case.stem] = (pool.submit(run_metaflow, case, base / case.stem / "metaflow"),
                              pool.submit(run_flowc, case, base / case.stem / "flowc"))
    for path in LENIENT:
        case = Case(path, _flow_name(path))
        futures[path.stem] = (
            pool.submit(metaflow_payload, case, base / path.stem / "metaflow"),
            pool.submit(run_flowc, case, base / path.stem / "flowc"))
    for stem in EXCLUDED:
        path = ROOT / "examples" / f"{stem}.py"
        refused = pool.submit(metaflow_payload, Case(path, _flow_name(path)),
                              base / stem / "metaflow")
        futures[stem] = (refused, refused)
    yield futures
    pool.shutdown(wait=True)


SLOW = {"nested_foreach", "diff_nested_foreach3", "diff_loop_in_foreach", "diff_split_in_foreach",
        "diff_switch_to_join", "diff_catch"}


def _same(ours: Any, theirs: Any) -> bool:
    """Equal values of the same types, dict keys in the same order (recursively)."""
    if type(ours) is not type(theirs):
        return False
    if isinstance(ours, dict):
        return list(ours) == list(theirs) and all(_same(ours[k], theirs[k]) for k in ours)
    if isinstance(ours, list | tuple):
        return len(ours) == len(theirs) and all(map(_same, ours, theirs))
    return bool(ours == theirs)


def _permutation(ours: Any, theirs: Any) -> bool:
    """Same items in any order (a list, or a dict's items)."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return ours == theirs
    return type(ours) is type(theirs) and sorted(map(repr, ours)) == sorted(map(repr, theirs))


def assert_agree(flowc_results: Results, metaflow_results: Results,
                 input_order: dict[str, Any] | None = None,
                 different: dict[str, tuple[Any, Any]] | None = None) -> None:
    """Same steps, same tasks per step, same artifacts per task; the artifacts named in
    `input_order` hold flowc's documented order and a permutation of it in Metaflow; those in
    `different` hold the given (flowc, Metaflow) values."""
    input_order, different = input_order or {}, different or {}
    assert sorted(flowc_results) == sorted(metaflow_results), "steps that ran"
    for step, theirs in metaflow_results.items():
        ours = flowc_results[step]
        assert sorted(ours) == sorted(theirs), f"step {step}: tasks (index path, iteration)"
        for key, expected in theirs.items():
            got = ours[key]
            where = f"step {step}, task {key}"
            assert sorted(got) == sorted(expected), f"{where}: artifact names"
            for name, value in expected.items():
                if name in different:
                    assert _same(got[name], different[name][0]), f"{where}, {name}: {got[name]}"
                    assert _same(value, different[name][1]), f"{where}, {name}: {value}"
                    continue
                if name in input_order:
                    assert _same(got[name], input_order[name]), f"{where}, {name}: {got[name]}"
                    assert _permutation(got[name], value), f"{where}, {name}: {value}"
                    continue
                assert _same(got[name], value), (
                    f"{where}, artifact {name}: flowc {got[name]!r} != Metaflow {value!r}")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.stem)
def test_artifacts_agree_with_metaflow_runtime(case: Case, both_runs: Any) -> None:
    metaflow_future, flowc_future = both_runs[case.stem]
    theirs, ours = metaflow_future.result(), flowc_future.result()
    assert theirs, "Metaflow ran no step"
    assert_agree(ours, theirs, INPUT_ORDER.get(case.stem), DIFFERENT.get(case.stem))
    deliberate = {**INPUT_ORDER.get(case.stem, {}), **DIFFERENT.get(case.stem, {})}
    for name in deliberate:  # each deliberate difference is really exercised
        assert any(name in task for tasks in ours.values() for task in tasks.values()), name


# Deliberate differences where Metaflow refuses a flow that flowc runs: per flow, the start of
# Metaflow's complaint, flowc's task count per step and the artifacts of flowc's end task.
LENIENT: dict[Path, tuple[str, dict[str, int], Artifacts]] = {
    # docs/local-runner.md: "a foreach over an empty list goes straight to its join" (no body
    # task, the join gets no inputs), so a flow that may meet an empty list needs no special
    # case; Metaflow stops the run.
    DIFFERENTIAL / "lenient_empty_foreach.py": (
        "produced zero splits", {"start": 1, "join": 1, "end": 1},
        {"count": 0, "values": [], "final": (0, [])}),
    # runtime_shim/transitions.py: the case taken is the one equal to str(condition value);
    # Metaflow requires the value itself to be one of the (string) case keys.
    DIFFERENTIAL / "lenient_switch_value.py": (
        "which is not in the available cases", {"start": 1, "high": 1, "end": 1},
        {"level": 2, "taken": "high", "final": (2, "high")}),
}


@pytest.mark.parametrize("path", LENIENT, ids=lambda p: p.stem)
def test_metaflow_refuses_what_flowc_runs_deliberately(path: Path, both_runs: Any) -> None:
    refusal, counts, end = LENIENT[path]
    metaflow_future, flowc_future = both_runs[path.stem]
    status, output = metaflow_future.result()
    assert status == "failed" and refusal in output, output[-2000:]
    ours = flowc_future.result()
    assert {step: len(tasks) for step, tasks in ours.items()} == counts
    assert ours["end"][((), 0)] == end


@pytest.mark.parametrize("stem", EXCLUDED)
def test_excluded_examples_are_refused_by_metaflow(stem: str, both_runs: Any) -> None:
    """An exclusion stays only as long as Metaflow really cannot run the example here."""
    status, output = both_runs[stem][0].result()
    assert status == "failed" and EXCLUDED[stem][1] in output, output[-2000:]


def test_exclusions_are_real_examples() -> None:
    """Every exclusion names an existing example, so none can go stale silently."""
    for stem in EXCLUDED:
        assert (ROOT / "examples" / f"{stem}.py").is_file(), stem
    assert len(CASES) >= len(list((ROOT / "examples").glob("*.py"))) - len(EXCLUDED) + 4
    # every flow under tests/differential/ is compared (diff_*) or a deliberate difference
    assert set(DIFFERENTIAL.glob("*.py")) == {c.path for c in CASES if c.path.parent ==
                                              DIFFERENTIAL} | set(LENIENT)
