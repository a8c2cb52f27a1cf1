"""Our graph facts agree with Metaflow's own `metaflow.graph.FlowGraph` on every example and
every tricky graph under tests/graphs/: start/end, node kinds, in/out steps, split parents,
matching joins, "inside a foreach", and our topological order is one of Metaflow's edges.
Metaflow's linter must also accept each of them. The flows import `flowc`; for Metaflow the
import lines are rewritten to `metaflow` and the module is loaded from a temporary file
(Metaflow reads step sources with `inspect`)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import metaflow
import metaflow.graph as metaflow_graph
import metaflow.lint as metaflow_lint
import pytest
from flowc.compiler import check_file
from flowc.compiler.ir.graph import FlowGraph, NodeKind

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([*ROOT.glob("examples/*.py"), *ROOT.glob("tests/graphs/*.py")])
METAFLOW_TYPE = {
    NodeKind.START: "start", NodeKind.LINEAR: "linear", NodeKind.SPLIT: "split",
    NodeKind.FOREACH: "foreach", NodeKind.PARALLEL: "foreach", NodeKind.SWITCH: "split-switch",
    NodeKind.JOIN: "join", NodeKind.END: "end",
}


def _as_metaflow(source: str) -> str:
    source = re.sub(r"^(\s*)from flowc(\.\w+)* import", r"\1from metaflow import", source,
                    flags=re.M)
    return re.sub(r"^(\s*)import flowc\b", r"\1import metaflow", source, flags=re.M)


def _load(path: Path, tmp_path: Path) -> ModuleType:
    copy = tmp_path / f"mf_{path.parent.name}_{path.stem}.py"
    copy.write_text(_as_metaflow(path.read_text(encoding="utf-8")), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(copy.stem, copy)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[copy.stem] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(copy.stem, None)
    return module


def _flow_classes(module: ModuleType) -> list[type[Any]]:
    return [
        value for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, metaflow.FlowSpec)
        and value.__module__ == module.__name__
    ]


def _assert_agree(ours: FlowGraph, theirs: Any) -> None:
    assert (ours.start, ours.end) == (theirs.start_step, theirs.end_step)
    assert set(ours.nodes) == set(theirs.nodes)
    for name, node in ours.nodes.items():
        mf = theirs[name]
        where = f"step {name}"
        assert METAFLOW_TYPE[node.kind] == mf.type, where
        assert (node.kind is NodeKind.PARALLEL) == bool(mf.parallel_foreach), where
        assert set(node.in_steps) == set(mf.in_funcs), where
        assert set(node.out_steps) == set(mf.out_funcs), where
        assert list(node.split_parents) == list(mf.split_parents), where
        assert node.matching_join == mf.matching_join, where
        assert (node.foreach_depth > 0) == mf.is_inside_foreach, where
    position = {name: i for i, name in enumerate(ours.topological_order)}
    assert len(position) == len(theirs.nodes)
    for mf in theirs:
        for target in mf.out_funcs:
            if target != mf.name:
                assert position[mf.name] < position[target], f"{mf.name} -> {target}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_graph_agrees_with_metaflow(path: Path, tmp_path: Path) -> None:
    classes = _flow_classes(_load(path, tmp_path))
    assert classes, f"Metaflow sees no flow in {path.name}"
    for cls in classes:
        result = check_file(path, root=ROOT, flow_name=cls.__name__ if len(classes) > 1 else None)
        problems = [f"{d.span}: {d.code} {d.message}" for d in result.diagnostics if d.is_error]
        assert result.checked is not None, problems
        theirs = metaflow_graph.FlowGraph(cls)
        metaflow_lint.linter.run_checks(theirs)  # Metaflow accepts it too
        _assert_agree(result.checked.graph, theirs)


# Graph rules Metaflow's linter does not have: num_parallel=0 passes its lint (and fails at
# run time). Every other FLC1xx case file must be refused by Metaflow too (on two of them,
# a split or foreach straight into its join, Metaflow's lint crashes with an IndexError).
METAFLOW_LINT_ACCEPTS = {"FLC129"}


def _graph_rule_cases() -> list[Path]:
    from test_invalid import expected_pairs

    cases = []
    for path in sorted((ROOT / "tests" / "invalid").glob("*.py")):
        codes = {code for _, code in expected_pairs(path)}
        graph_codes = {c for c in codes if c.startswith("FLC1")} - METAFLOW_LINT_ACCEPTS
        if graph_codes and all(c.startswith(("FLC1", "FLC3")) for c in codes):
            cases.append(path)
    return cases


@pytest.mark.parametrize("path", _graph_rule_cases(), ids=lambda p: p.stem)
def test_metaflow_refuses_our_graph_rule_cases(path: Path, tmp_path: Path) -> None:
    ours = check_file(path, root=ROOT).flow  # the flow flowc chose (a base is no flow)
    assert ours is not None
    [cls] = [c for c in _flow_classes(_load(path, tmp_path)) if c.__name__ == ours.name]
    with pytest.raises(Exception):  # noqa: B017  (LintWarn, or Metaflow's own IndexError)
        metaflow_lint.linter.run_checks(metaflow_graph.FlowGraph(cls))


# --- differential: random small flows, written as source, checked by both ----------------

from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from metaflow_differences import is_deliberate_difference  # noqa: E402


class _Builder:
    """Valid flows by construction: nested blocks of steps, splits, foreaches and switches
    (a switch may loop to itself), each closed properly; then maybe one mutation."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.joins: list[bool] = []
        self.nexts: list[tuple[str, tuple[int, ...]]] = []
        self.gangs: set[int] = set()  # steps decorated with @parallel

    def new(self, join: bool = False) -> int:
        self.joins.append(join)
        self.nexts.append(("none", ()))
        return len(self.joins) - 1

    def block(self, depth: int) -> tuple[int, int]:
        shape = self.draw(st.sampled_from(
            ["step", "seq", "split", "foreach", "switch", "parallel"] if depth > 0
            else ["step", "seq"]))
        if shape == "step" or (shape == "seq" and depth <= 0 and self.draw(st.booleans())):
            index = self.new()
            return index, index
        if shape == "seq":
            first, middle = self.block(depth - 1)
            second, last = self.block(depth - 1)
            self.nexts[middle] = ("linear", (second,))
            return first, last
        head = self.new()
        if shape == "parallel":
            body, close = self.new(), self.new(join=True)
            self.gangs.add(body)
            self.nexts[head] = ("parallel", (body,))
            self.nexts[body] = ("linear", (close,))
            return head, close
        count = 1 if shape == "foreach" else self.draw(st.integers(2, 3))
        branches = [self.block(depth - 1) for _ in range(count)]
        close = self.new(join=shape != "switch")
        entries = tuple(entry for entry, _ in branches)
        if shape == "switch" and self.draw(st.booleans()):
            entries += (head,)
        self.nexts[head] = (shape, entries)
        for _, exit_ in branches:
            self.nexts[exit_] = ("linear", (close,))
        return head, close

    def mutate(self) -> None:
        steps = range(1, len(self.joins) - 1)
        match self.draw(st.sampled_from(["none", "none", "join", "retarget", "drop", "gang"])):
            case "join":
                index = self.draw(st.sampled_from(steps))
                self.joins[index] = not self.joins[index]
            case "retarget":
                index = self.draw(st.sampled_from(range(len(self.joins) - 1)))
                kind, targets = self.nexts[index]
                self.nexts[index] = (kind, (self.draw(st.sampled_from(range(len(self.joins)))),
                                            *targets[1:]))
            case "gang":
                self.gangs ^= {self.draw(st.sampled_from(steps))}
            case "drop":
                splits = [i for i, (kind, t) in enumerate(self.nexts) if len(t) > 2]
                if splits:
                    index = self.draw(st.sampled_from(splits))
                    self.nexts[index] = (self.nexts[index][0], self.nexts[index][1][1:])


@st.composite
def flow_sources(draw: st.DrawFn) -> str:
    builder = _Builder(draw)
    start = builder.new()
    entry, exit_ = builder.block(draw(st.integers(1, 3)))
    end = builder.new()
    builder.nexts[start] = ("linear", (entry,))
    builder.nexts[exit_] = ("linear", (end,))
    builder.mutate()
    annotated = draw(st.booleans())  # @step(start=True)/@step(end=True) instead of names
    names = ["begin" if annotated else "start", *(f"s{i}" for i in range(1, end)),
             "finish" if annotated else "end"]
    marks = {0: "@step(start=True)", end: "@step(end=True)"} if annotated else {}
    order = [0, *draw(st.permutations(range(1, end))), end]
    lines = ["from flowc import FlowSpec, parallel, step", "", "", "class RandomFlow(FlowSpec):"]
    for index in order:
        inputs = ", inputs" if builder.joins[index] else ""
        if index in builder.gangs:
            lines.append("    @parallel")
        lines += [f"    {marks.get(index, '@step')}", f"    def {names[index]}(self{inputs}):"]
        kind, targets = builder.nexts[index]
        refs = [f"self.{names[t]}" for t in targets]
        match kind:
            case "none":
                lines.append("        pass")
            case "parallel":
                lines.append(f"        self.next({refs[0]}, num_parallel=2)")
            case "foreach":
                lines += ["        self.items = [1, 2]",
                          f'        self.next({refs[0]}, foreach="items")']
            case "switch":
                cases = ", ".join(f'"k{i}": {ref}' for i, ref in enumerate(refs))
                lines += ['        self.mode = "k0"',
                          f'        self.next({{{cases}}}, condition="mode")']
            case _:
                lines.append(f"        self.next({', '.join(refs)})")
        lines.append("")
    return "\n".join(lines)


# A flow this generator made (shrunk by hand): the case 'k0' of switch s2, in one branch of
# split s1, goes into s5, the other branch. Metaflow accepts it; flowc reports FLC120 at s5 by
# design (docs/diagnostics.md), which `is_deliberate_difference` exempts, as in
# test_metaflow_random_graphs. It used to fail this test whenever Hypothesis drew it.
SWITCH_INTO_OTHER_BRANCH = """from flowc import FlowSpec, parallel, step


class RandomFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.s1)

    @step
    def s1(self):
        self.next(self.s2, self.s5)

    @step
    def s2(self):
        self.mode = "k0"
        self.next({"k0": self.s3, "k1": self.s4}, condition="mode")

    @step
    def s3(self):
        self.next(self.s5)

    @step
    def s4(self):
        self.next(self.s6)

    @step
    def s5(self):
        self.next(self.s7)

    @step
    def s6(self):
        self.next(self.s7)

    @step
    def s7(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
"""


def _metaflow_verdict(path: Path, tmp_path: Path) -> Any:
    """Metaflow's graph when its linter accepts the flow, else None."""
    cls = _flow_classes(_load(path, tmp_path))[0]
    graph = metaflow_graph.FlowGraph(cls)
    try:
        metaflow_lint.linter.run_checks(graph)
    except Exception:  # LintWarn, or an IndexError inside Metaflow's own lint
        return None
    return graph


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(source=flow_sources())
@example(source=SWITCH_INTO_OTHER_BRANCH)
def test_random_flows_agree_with_metaflow(source: str, tmp_path: Path) -> None:
    path = tmp_path / "random_flow.py"
    path.write_text(source, encoding="utf-8")
    ours = check_file(path, root=tmp_path)
    theirs = _metaflow_verdict(path, tmp_path)
    if is_deliberate_difference(ours, theirs):  # flowc's FLC120, documented
        return
    problems = [f"{d.span}: {d.code} {d.message}" for d in ours.diagnostics if d.is_error]
    assert (ours.checked is not None) == (theirs is not None), (source, problems)
    if ours.checked is not None:
        _assert_agree(ours.checked.graph, theirs)
