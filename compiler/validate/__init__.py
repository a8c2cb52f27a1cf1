"""Graph and flow rules: one function per rule, each returning diagnostics.

`validate` runs every rule of `RULES` over a flow and its graph facts and returns all the
problems at once (Metaflow stops at the first). Rules live in small modules by theme; the
codes they emit are the FLC0xx/FLC1xx/FLC3xx entries of `flowc.compiler.diagnostics`.
"""

from __future__ import annotations

from flowc.compiler.diagnostics import Diagnostic
from flowc.compiler.ir import Flow
from flowc.compiler.ir.graph import FlowGraph
from flowc.compiler.validate import (
    cycles,
    decorators,
    limits,
    names,
    parallel,
    parameters,
    structure,
    switches,
    terminals,
    transitions,
)
from flowc.compiler.validate.context import Rule, RuleContext

RULES: tuple[Rule, ...] = (
    names.check_duplicate_steps,
    names.check_reserved_step_names,
    names.check_step_name_spelling,
    names.check_flow_name,
    names.check_parameter_name_spelling,
    parameters.check_duplicate_parameters,
    parameters.check_reserved_parameter_names,
    parameters.check_parameter_defaults,
    parameters.check_parameter_step_conflicts,
    decorators.check_decorator_arguments,
    decorators.check_catch_placement,
    decorators.check_duplicate_decorators,
    terminals.check_start_step,
    terminals.check_end_step,
    terminals.check_start_inputs,
    terminals.check_end_has_no_next,
    terminals.check_end_is_not_join,
    transitions.check_argument_count,
    transitions.check_missing_next,
    transitions.check_unknown_targets,
    transitions.check_split_branches,
    transitions.check_join_and_split,
    transitions.check_unreachable,
    cycles.check_cycles,
    structure.check_join_without_split,
    structure.check_join_branches,
    structure.check_unrelated_join,
    structure.check_missing_join,
    structure.check_end_before_join,
    structure.check_empty_foreach,
    switches.check_switch_cases,
    switches.check_switch_condition,
    switches.check_switch_into_join,
    parallel.check_parallel_decorator,
    parallel.check_parallel_joined,
    parallel.check_parallel_called,
    parallel.check_num_parallel_value,
    limits.check_name_lengths,
    limits.check_split_width,
    limits.check_foreach_depth,
)


def validate(
    flow: Flow, graph: FlowGraph, *, rejected_transitions: frozenset[str] = frozenset(),
    unseen_steps: frozenset[str] = frozenset(),
) -> tuple[Diagnostic, ...]:
    """Every problem the rules find in `flow`, in rule order (the pipeline sorts them)."""
    ctx = RuleContext(flow=flow, graph=graph, rejected=rejected_transitions,
                      unseen=unseen_steps)
    return tuple(diagnostic for check in RULES for diagnostic in check(ctx))


__all__ = ["RULES", "Rule", "RuleContext", "validate"]
