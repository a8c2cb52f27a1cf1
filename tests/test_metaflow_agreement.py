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

import pytest

from compiler import check_file
from compiler.graph import FlowGraph, NodeKind

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([*ROOT.glob("examples/*.py"), *ROOT.glob("tests/graphs/*.py")])
METAFLOW_TYPE = {
    NodeKind.START: "start", NodeKind.LINEAR: "linear", NodeKind.SPLIT: "split",
    NodeKind.FOREACH: "foreach", NodeKind.PARALLEL: "foreach", NodeKind.SWITCH: "split-switch",
    NodeKind.JOIN: "join", NodeKind.END: "end",
}

metaflow = pytest.importorskip("metaflow")
metaflow_graph = pytest.importorskip("metaflow.graph")
metaflow_lint = pytest.importorskip("metaflow.lint")


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
    classes = _flow_classes(_load(path, tmp_path))
    assert len(classes) == 1
    with pytest.raises(Exception):  # noqa: B017  (LintWarn, or Metaflow's own IndexError)
        metaflow_lint.linter.run_checks(metaflow_graph.FlowGraph(classes[0]))
