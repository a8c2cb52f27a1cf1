"""What every rule reads: the flow, its graph facts, and a few facts derived once per check.

Rules take one `RuleContext` and return diagnostics; the context computes shared facts lazily
(whether the edges are complete, the cycles, the split/join balance) so no rule redoes them.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from flowc.compiler.diagnostics import Diagnostic
from flowc.compiler.ir import Flow, Span, Step, Switch
from flowc.compiler.ir.graph import FlowGraph

if TYPE_CHECKING:
    from flowc.compiler.validate.balance import Balance

# Step names that would shadow the authoring API on `self`: Metaflow's reserved words (its
# lint.py) plus the FlowSpec methods flowc's runtime exposes.
METAFLOW_RESERVED_STEP_NAMES = frozenset({"name", "next", "input", "index", "cmd"})
RESERVED_STEP_NAMES = METAFLOW_RESERVED_STEP_NAMES | {"foreach_stack", "merge_artifacts"}


@dataclass(frozen=True)
class RuleContext:
    """The flow under check. `rejected` names the steps whose `self.next` the frontend already
    rejected: their transition is None in the IR and no rule reports it again. `unseen` names
    steps the frontend found defined inside a block (FLC042): not reported as unknown."""

    flow: Flow
    graph: FlowGraph
    rejected: frozenset[str] = frozenset()
    unseen: frozenset[str] = frozenset()

    @property
    def steps(self) -> Mapping[str, Step]:
        """Each step name's first definition (a duplicate is reported once, by FLC040)."""
        return self.graph.steps

    @cached_property
    def terminal_names(self) -> frozenset[str]:
        """Steps that may end the flow without `self.next`: the end step and end candidates."""
        names = {s.name for s in self.steps.values() if s.is_end or s.name == "end"}
        if self.graph.end is not None:
            names.add(self.graph.end)
        else:  # no end step (FLC103): a step without self.next is the likely intended end
            names.update(s.name for s in self.steps.values() if s.transition is None)
        return frozenset(names)

    @cached_property
    def edges_complete(self) -> bool:
        """True when every non-terminal step has a transition and every target exists.

        Shape rules (reachability, split/join balance) only run on complete edges: a missing,
        rejected or misspelled `self.next` is reported once, at its own place, instead of
        again as an unreachable step or an unbalanced join downstream.
        """
        for name, step in self.steps.items():
            if step.transition is None and name not in self.terminal_names:
                return False
            if isinstance(step.transition, Switch) and not step.transition.cases:
                return False  # FLC123: the switch has no target at all
            if name in self.rejected:
                return False
            if any(target not in self.steps for target in step.successors):
                return False
        return True

    @cached_property
    def cycles(self) -> tuple[tuple[str, ...], ...]:
        """The step sets that form cycles (a switch's loop to itself excepted)."""
        from flowc.compiler.validate.cycles import cyclic_components

        return tuple(cyclic_components(self))

    @cached_property
    def in_cycle(self) -> frozenset[str]:
        """Steps on a cycle."""
        return frozenset(name for component in self.cycles for name in component)

    @cached_property
    def balance(self) -> Balance:
        """The split/join balance pass, run once and shared by the structure rules."""
        from flowc.compiler.validate.balance import analyse

        return analyse(self)

    @cached_property
    def _edges(self) -> Mapping[str, tuple[str, ...]]:
        edges: dict[str, tuple[str, ...]] = {}
        for name, step in self.steps.items():
            is_switch = isinstance(step.transition, Switch)
            edges[name] = () if name == self.graph.end else tuple(
                t for t in step.successors if t in self.steps and not (is_switch and t == name))
        return edges

    def edges(self, name: str) -> tuple[str, ...]:
        """Defined successors of `name`, without a switch's loop to itself; none for the end
        step (its self.next is FLC108's alone)."""
        return self._edges[name]

    def transition_span(self, step: Step) -> Span:
        """The `self.next(...)` call of `step`, or the step itself when it has none."""
        return step.transition.span if step.transition is not None else step.span


Rule = Callable[[RuleContext], Iterator[Diagnostic]]


def quoted(names: Iterable[str]) -> str:
    """`'a', 'b' and 'c'` for an iterable of names (in the given order)."""
    items = [f"'{name}'" for name in names]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A help line suggesting the closest of `candidates`, if any is close."""
    close = difflib.get_close_matches(name, list(candidates), n=1)
    return f"did you mean '{close[0]}'?" if close else None
