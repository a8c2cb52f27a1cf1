"""Differential fuzz test: flowc and Metaflow judge the same random flow graphs alike.

A seeded generator (fixed seeds: CI checks the same flows) builds flows valid by construction
(chains; static splits of 2-4 branches; foreaches, nested, with splits and switches inside;
switches of 2-3 cases, one may loop to itself, closed by a step or open into what follows),
then most get one mutation: a join made plain, a branch sent to an unrelated join, an extra
edge, an unreachable step, a cycle, a switch case into a join, a join without a split, a
branch sent to the end, a random retarget. flowc (`check_file`) and Metaflow (loaded as in
test_metaflow_agreement; a raise while building its FlowGraph or in `metaflow.lint` is a
refusal) must give the same verdict, and the same graph facts when both accept. The one
deliberate difference (a switch case into another branch of a split: FLC120, see
docs/diagnostics.md) is asserted as such, by tests/metaflow_differences.py, which the
Hypothesis test in test_metaflow_agreement shares. FLOWC_RANDOM_GRAPHS=20000 explores more (~70 s).
"""

from __future__ import annotations

import os
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import metaflow.graph as metaflow_graph
import metaflow.lint as metaflow_lint
import pytest
from flowc.compiler import check_file
from metaflow_differences import crossings, is_deliberate_difference
from test_metaflow_agreement import _assert_agree, _flow_classes, _load

FLOWS = int(os.environ.get("FLOWC_RANDOM_GRAPHS", "3000"))
CHUNKS = 8  # parametrized chunks, so that `pytest -n 2` spreads the corpus over workers
SHAPES = ("chain", "split", "foreach", "switch")
MUTATIONS = ("missing_join", "unrelated_join", "extra_edge", "unreachable", "cycle",
             "switch_into_join", "join_without_split", "end_before_join", "retarget")


@dataclass
class Node:
    kind: str = "none"  # linear, split, foreach, switch; none for the end step
    targets: list[int] = field(default_factory=list)
    join: bool = False
    splits: tuple[int, ...] = ()  # the split and foreach steps open around it


class RandomFlow:
    """One random flow: a valid block structure, then (mostly) one mutation."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.nodes: list[Node] = []
        self.tags: set[str] = set()
        self.joins: dict[int, int] = {}  # split or foreach step -> its join
        self.open: list[int] = []
        self.around: list[str] = []
        start = self.new()
        entry, exits = self.block(self.rng.randint(1, 3))
        self.end = self.new()
        self.link(start, entry)
        for exit_ in exits:
            self.link(exit_, self.end)
        kinds = self.rng.sample(MUTATIONS, len(MUTATIONS)) if self.rng.random() < 0.65 else []
        self.mutation = next((k for k in kinds if getattr(self, k)()), "none")

    def new(self, join: bool = False) -> int:  # a step, in a topological order
        self.nodes.append(Node(join=join, splits=tuple(self.open)))
        return len(self.nodes) - 1

    def link(self, source: int, target: int) -> None:
        self.nodes[source].kind, self.nodes[source].targets = "linear", [target]

    def block(self, depth: int) -> tuple[int, list[int]]:
        """A block's entry step and the steps that leave it (several for an open switch)."""
        shape = self.rng.choice(SHAPES if depth > 0 else SHAPES[:1])
        if shape == "chain":
            first = last = self.new()
            for _ in range(self.rng.randint(0, 1)):
                following = self.new()
                self.link(last, following)
                last = following
            if depth <= 0 or self.rng.random() < 0.6:
                return first, [last]
            second, exits = self.block(depth - 1)
            self.link(last, second)
            return first, exits
        self.tags.update(f"{shape}-in-{outer}" for outer in self.around)
        head = self.new()
        count = {"split": self.rng.randint(2, 4), "foreach": 1}.get(shape, self.rng.randint(2, 3))
        loop = shape == "switch" and self.rng.random() < 0.4
        self.tags.add(shape + ("-loop" if loop else f"-{count}"))
        self.around.append(shape)
        if shape != "switch":
            self.open.append(head)
        branches = [self.block(depth - 1) for _ in range(count - loop)]
        if shape != "switch":
            self.open.pop()
        self.around.pop()
        self.nodes[head].kind = shape
        self.nodes[head].targets = [entry for entry, _ in branches] + ([head] if loop else [])
        exits = [exit_ for _, some in branches for exit_ in some]
        if shape == "switch" and self.rng.random() < 0.5:
            self.tags.add("switch-open")  # the cases go on to whatever follows the switch
            return head, exits
        close = self.new(join=shape != "switch")
        for exit_ in exits:
            self.link(exit_, close)
        if shape != "switch":
            self.joins[head] = close
        return head, [close]

    def _pick(self, candidates: list[int]) -> int | None:
        return self.rng.choice(candidates) if candidates else None

    def _linear(self, *, top_level: bool = False) -> list[int]:
        return [i for i, n in enumerate(self.nodes) if n.kind == "linear" and i != 0
                and not (top_level and (n.splits or n.join))]

    # Mutations: each returns False when the flow has nothing it applies to.
    def missing_join(self) -> bool:
        join = self._pick([i for i, n in enumerate(self.nodes) if n.join])
        if join is not None:
            self.nodes[join].join = False
        return join is not None

    def unrelated_join(self) -> bool:
        if len(self.joins) > 1:
            split, other = self.rng.sample(sorted(self.joins), 2)
            self.rng.choice([n for n in self.nodes if self.joins[split] in n.targets]).targets = [
                self.joins[other]]
        return len(self.joins) > 1

    def extra_edge(self) -> bool:
        node = self.rng.choice([n for n in self.nodes if n.kind in ("linear", "split")])
        extra = self._pick([i for i in range(1, len(self.nodes)) if i not in node.targets])
        if extra is not None:  # (may be the step itself: a cycle of one)
            node.kind, node.targets = "split", [*node.targets, extra]
        return extra is not None

    def unreachable(self) -> bool:
        wide = [i for i, n in enumerate(self.nodes) if n.kind == "split" and len(n.targets) > 2]
        if wide and self.rng.random() < 0.5:
            self.nodes[self.rng.choice(wide)].targets.pop(0)
        else:
            self.link(self.new(), self.rng.randrange(1, len(self.nodes) - 1))
        return True

    def cycle(self) -> bool:
        source = self._pick(self._linear())
        if source is not None:
            self.nodes[source].targets = [self.rng.randint(0, source)]
        return source is not None

    def switch_into_join(self) -> bool:
        switch = self._pick([i for i, n in enumerate(self.nodes) if n.kind == "switch"])
        join = self._pick([i for i, n in enumerate(self.nodes) if n.join])
        if switch is not None and join is not None:
            cases = self.nodes[switch].targets
            cases[self.rng.choice([k for k, t in enumerate(cases) if t != switch])] = join
        return switch is not None and join is not None

    def join_without_split(self) -> bool:
        step = self._pick(self._linear(top_level=True))
        if step is not None:
            self.nodes[step].join = True
        return step is not None

    def end_before_join(self) -> bool:
        exit_ = self._pick([i for i, n in enumerate(self.nodes)
                            if n.kind == "linear" and n.targets[0] in self.joins.values()])
        if exit_ is not None:
            self.nodes[exit_].targets = [self.end]
        return exit_ is not None

    def retarget(self) -> bool:
        targets = self.rng.choice([n.targets for n in self.nodes if n.targets])
        targets[self.rng.randrange(len(targets))] = self.rng.randrange(len(self.nodes))
        return True

    def name(self, index: int) -> str:
        return {0: "start", self.end: "end"}.get(index, f"s{index}")

    def source(self) -> str:
        rest = list(range(1, len(self.nodes)))
        self.rng.shuffle(rest)
        lines = ["from flowc import FlowSpec, step", "", "", f"class R{self.seed}Flow(FlowSpec):"]
        for index in [0, *rest]:
            node = self.nodes[index]
            refs = [f"self.{self.name(t)}" for t in node.targets]
            lines += ["    @step", f"    def {self.name(index)}(self{', inputs' * node.join}):"]
            cases = ", ".join(f'"k{k}": {ref}' for k, ref in enumerate(refs))
            lines += {"none": ["        pass"],
                      "foreach": ['        self.items = [1, 2]',
                                  f'        self.next({refs[0] if refs else ""}, foreach="items")'],
                      "switch": ['        self.mode = "k0"',
                                 f'        self.next({{{cases}}}, condition="mode")'],
                      }.get(node.kind, [f"        self.next({', '.join(refs)})"]) + [""]
        return "\n".join(lines)


CORPUS = [RandomFlow(seed) for seed in range(FLOWS)]
SOURCES = [flow.source() for flow in CORPUS]


def metaflow_verdict(path: Path, tmp_path: Path) -> tuple[Any, str]:
    """Metaflow's graph if it accepts the flow (else None), and why it refused."""
    try:
        [cls] = _flow_classes(_load(path, tmp_path))  # the class statement builds a FlowGraph
        graph = metaflow_graph.FlowGraph(cls)
        metaflow_lint.linter.run_checks(graph)
    except Exception as exc:  # noqa: BLE001  (LintWarn, or Metaflow's own crash: a refusal)
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return graph, ""


CROSSING = """from flowc import FlowSpec, step
class CrossingFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b)
    @step
    def a(self):
        self.mode = "x"
        self.next({"x": self.a1, "y": self.b}, condition="mode")
    @step
    def a1(self):
        self.next(self.join)
    @step
    def b(self):  # error: [FLC120]
        self.next(self.join)
    @step
    def join(self, inputs):
        self.next(self.end)
    @step
    def end(self):
        pass"""


def test_a_switch_into_another_branch_is_a_deliberate_difference(tmp_path: Path) -> None:
    """The minimal crossing: Metaflow accepts it, flowc reports FLC120 once, at 'b'.
    (Not a tests/invalid/ case: test_metaflow_agreement expects Metaflow to refuse those.)"""
    path = tmp_path / "crossing.py"
    path.write_text(CROSSING, encoding="utf-8")
    theirs, why = metaflow_verdict(path, tmp_path)
    assert theirs is not None, why
    assert crossings(theirs) == {"b"}
    found = [(d.span.line, d.code) for d in check_file(path, root=tmp_path).diagnostics]
    assert found == [(CROSSING.splitlines().index("    def b(self):  # error: [FLC120]") + 1,
                      "FLC120")]


def test_corpus_covers_every_shape_and_mutation() -> None:
    tags = Counter(tag for flow in CORPUS for tag in flow.tags)
    wanted = {"split-2", "split-3", "split-4", "foreach-1", "switch-2", "switch-3",
              "switch-loop", "switch-open", "foreach-in-foreach", "switch-in-foreach",
              "split-in-foreach", "foreach-in-split", "switch-in-split", "split-in-switch"}
    assert {tag: tags[tag] for tag in wanted if tags[tag] < 10} == {}
    mutations = Counter(flow.mutation for flow in CORPUS)
    assert {m: mutations[m] for m in ("none", *MUTATIONS) if mutations[m] < 25} == {}


def _compare(flow: RandomFlow, source: str, tmp_path: Path) -> str | None:
    """What is wrong with flowc's verdict on one flow, if anything."""
    path = tmp_path / f"r{flow.seed}.py"
    path.write_text(source, encoding="utf-8")
    ours = check_file(path, root=tmp_path)
    errors = [d for d in ours.diagnostics if d.is_error]
    theirs, why = metaflow_verdict(path, tmp_path)
    if ours.checked is not None and theirs is not None:
        _assert_agree(ours.checked.graph, theirs)
        assert not crossings(theirs), source
        return None
    if theirs is not None:  # only flowc refuses: it must be the documented difference
        if is_deliberate_difference(ours, theirs):
            return None
        shown = [f"{d.span.line}: {d.code} {d.message}" for d in errors]
        return f"flowc {shown}, Metaflow accepts (crossed={crossings(theirs)})"
    return f"flowc accepts, Metaflow {why}" if ours.checked is not None else None


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_random_flows_agree_with_metaflow(chunk: int, tmp_path: Path) -> None:
    failures = []
    for flow, source in list(zip(CORPUS, SOURCES, strict=True))[chunk::CHUNKS]:
        problem = _compare(flow, source, tmp_path)
        if problem:
            failures.append(f"seed {flow.seed} ({flow.mutation}): {problem}\n{source}")
    assert not failures, f"{len(failures)} flows:\n" + "\n".join(failures[:3])
