"""What a target can express, declared once: the capabilities, where a flow uses each one, and
the diagnostic a target that lacks it reports there (FLC201 for a construct it cannot express,
FLC202 for a decorator it would ignore), with what to do instead.

A target declares `SUPPORTS` (and `IGNORES`: accepted and meaningless there, such as
`@resources` on this machine) as sets of `Capability`; `unsupported` reads them generically.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.ir import Flow, Foreach, Parallel, Span, Split, Switch
from flowc.compiler.ir.graph import FlowGraph, NodeKind


class Capability(StrEnum):
    SPLIT = "split"
    FOREACH = "foreach"
    NESTED_FOREACH = "nested-foreach"
    SWITCH = "switch"
    SWITCH_LOOP = "switch-loop"
    PARALLEL = "parallel"
    RETRY = "retry"
    TIMEOUT = "timeout"
    CATCH = "catch"
    RESOURCES = "resources"
    ENVIRONMENT = "environment"
    SECRETS = "secrets"
    SCHEDULE = "schedule"
    TRIGGER = "trigger"
    PROJECT = "project"
    UNKNOWN_DECORATORS = "unknown-decorators"


ALL = frozenset(Capability)

# A use of a capability in a flow: where it is and what it is called in the message.
Use = tuple[Span, str]
Finder = Callable[[Flow, FlowGraph], Iterator[Use]]


@dataclass(frozen=True, slots=True, kw_only=True)
class CapabilitySpec:
    capability: Capability
    description: str  # what the construct is, for messages and the support matrix
    is_decorator: bool  # FLC202 (ignored) rather than FLC201 (cannot express)
    instead: str  # the hint: what to do instead
    find: Finder


def _transitions(kind: type, loop: bool | None = None) -> Finder:
    def find(flow: Flow, graph: FlowGraph) -> Iterator[Use]:
        for node in graph:
            if node.name not in graph.reachable:
                continue
            transition = graph.steps[node.name].transition
            if isinstance(transition, kind) and (loop is None or node.is_loop == loop):
                yield transition.span, f"step '{node.name}'"
    return find


def _nested_foreach(flow: Flow, graph: FlowGraph) -> Iterator[Use]:
    for node in graph:
        if node.kind is NodeKind.FOREACH and node.foreach_depth > 0:
            transition = graph.steps[node.name].transition
            assert transition is not None
            yield transition.span, f"step '{node.name}' (a foreach inside a foreach)"


def _step_decorators(*names: str) -> Finder:
    def find(flow: Flow, graph: FlowGraph) -> Iterator[Use]:
        for node in graph:
            for decorator in graph.steps[node.name].decorators:
                if decorator.name in names:
                    yield decorator.span, f"@{decorator.name} on step '{node.name}'"
    return find


def _flow_decorators(*names: str) -> Finder:
    def find(flow: Flow, graph: FlowGraph) -> Iterator[Use]:
        for decorator in flow.decorators:
            if decorator.name in names:
                yield decorator.span, f"@{decorator.name} on flow '{flow.name}'"
    return find


def _unknown_decorators(flow: Flow, graph: FlowGraph) -> Iterator[Use]:
    for node in graph:
        for decorator in graph.steps[node.name].decorators:
            if not decorator.known:
                yield decorator.span, f"@{decorator.name} on step '{node.name}'"


SPECS: tuple[CapabilitySpec, ...] = (
    CapabilitySpec(capability=Capability.SPLIT, description="a static split / join",
                   is_decorator=False, instead="run the branches one after another",
                   find=_transitions(Split)),
    CapabilitySpec(capability=Capability.FOREACH, description="a foreach / join",
                   is_decorator=False, instead="loop over the items inside one step",
                   find=_transitions(Foreach)),
    CapabilitySpec(capability=Capability.NESTED_FOREACH,
                   description="a foreach inside a foreach body", is_decorator=False,
                   instead="flatten the two levels into one foreach over the pairs of items",
                   find=_nested_foreach),
    CapabilitySpec(capability=Capability.SWITCH, description="a switch", is_decorator=False,
                   instead="choose inside one step instead of choosing the next step",
                   find=_transitions(Switch, loop=False)),
    CapabilitySpec(capability=Capability.SWITCH_LOOP,
                   description="a switch that loops back to its own step", is_decorator=False,
                   instead="loop inside the step, or unroll the loop into a fixed number of steps",
                   find=_transitions(Switch, loop=True)),
    CapabilitySpec(capability=Capability.PARALLEL, description="num_parallel",
                   is_decorator=False, instead="use a foreach over range(n) to run n tasks",
                   find=_transitions(Parallel)),
    CapabilitySpec(capability=Capability.RETRY, description="@retry", is_decorator=True,
                   instead="retry inside the step", find=_step_decorators("retry")),
    CapabilitySpec(capability=Capability.TIMEOUT, description="@timeout", is_decorator=True,
                   instead="enforce the time limit inside the step",
                   find=_step_decorators("timeout")),
    CapabilitySpec(capability=Capability.CATCH, description="@catch", is_decorator=True,
                   instead="catch the exception inside the step", find=_step_decorators("catch")),
    CapabilitySpec(capability=Capability.RESOURCES,
                   description="@resources / @kubernetes / @batch", is_decorator=True,
                   instead="size the workers in the target's own configuration",
                   find=_step_decorators("resources", "kubernetes", "batch")),
    CapabilitySpec(capability=Capability.ENVIRONMENT, description="@environment",
                   is_decorator=True, instead="set the variables in the image",
                   find=_step_decorators("environment")),
    CapabilitySpec(capability=Capability.SECRETS, description="@secrets", is_decorator=True,
                   instead="read the secret inside the step", find=_step_decorators("secrets")),
    CapabilitySpec(capability=Capability.SCHEDULE, description="@schedule", is_decorator=True,
                   instead="start runs from an external scheduler",
                   find=_flow_decorators("schedule")),
    CapabilitySpec(capability=Capability.TRIGGER,
                   description="@trigger / @trigger_on_finish", is_decorator=True,
                   instead="start runs from the event source",
                   find=_flow_decorators("trigger", "trigger_on_finish")),
    CapabilitySpec(capability=Capability.PROJECT, description="@project", is_decorator=True,
                   instead="name the deployment yourself", find=_flow_decorators("project")),
    CapabilitySpec(capability=Capability.UNKNOWN_DECORATORS,
                   description="a decorator flowc does not know", is_decorator=True,
                   instead="remove it, or do its work inside the step",
                   find=_unknown_decorators),
)
SPEC_OF = {spec.capability: spec for spec in SPECS}
assert set(SPEC_OF) == set(Capability), "every capability needs a spec"


def unsupported(target_name: str, supports: frozenset[Capability],
                ignores: frozenset[Capability], flow: Flow,
                graph: FlowGraph) -> list[Diagnostic]:
    """FLC201/FLC202 at every use of a capability the target neither supports nor ignores."""
    problems: list[Diagnostic] = []
    for spec in SPECS:
        if spec.capability in supports or spec.capability in ignores:
            continue
        code = "FLC202" if spec.is_decorator else "FLC201"
        verb = "ignores" if spec.is_decorator else "cannot express"
        for span, what in spec.find(flow, graph):
            problems.append(rule(code).at(
                span, f"the {target_name} target {verb} {spec.description}: {what}",
                help=spec.instead))
    return problems
