"""One lowering for every target: a checked flow turned into what an emitter needs, computed
once and in a fixed order, so that an emitter only says how its system writes each piece.

`lower(checked)` gives a `Lowered`: the flow's structured body (`regions`), the steps in
topological order with their typed settings, the flow's typed settings, and the foreach scopes
(which steps sit directly inside which foreach body) that pictures and task groups draw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from flowc.compiler.ir import Flow, Step
from flowc.compiler.ir.graph import FlowGraph, GraphNode
from flowc.compiler.pipeline import CheckedFlow
from flowc.targets.lower.regions import Body, flow_body


@dataclass(frozen=True, slots=True, kw_only=True)
class LoweredStep:
    """One step with its graph facts."""

    step: Step
    node: GraphNode

    @property
    def name(self) -> str:
        return self.step.name


@dataclass(frozen=True, slots=True, kw_only=True)
class Lowered:
    flow: Flow
    graph: FlowGraph
    steps: Mapping[str, LoweredStep]  # reachable steps, in topological order
    # The steps directly inside each foreach (or parallel) step's body, in topological order;
    # the key None holds the steps outside every foreach. A join is outside the body it closes.
    foreach_scopes: Mapping[str | None, tuple[str, ...]]

    @property
    def body(self) -> Body:
        """The flow's structured body (flowc.targets.lower.regions), built on each access:
        the targets that draw the graph step by step never pay for it."""
        return flow_body(self.flow, self.graph)


def lower(checked: CheckedFlow) -> Lowered:
    flow, graph = checked.flow, checked.graph
    steps = {
        node.name: LoweredStep(step=graph.steps[node.name], node=node)
        for node in graph if node.name in graph.reachable
    }
    return Lowered(
        flow=flow,
        graph=graph,
        steps=MappingProxyType(steps),
        foreach_scopes=MappingProxyType(_foreach_scopes(graph)),
    )


def _foreach_scopes(graph: FlowGraph) -> dict[str | None, tuple[str, ...]]:
    members: dict[str | None, list[str]] = {}
    for node in graph:
        scope = graph.enclosing_foreach(node.name) if node.name in graph.reachable else None
        members.setdefault(scope, []).append(node.name)
    return {scope: tuple(names) for scope, names in members.items()}
