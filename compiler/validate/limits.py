"""Limits no target can go past (FLC3xx); the budgets are documented in
docs/diagnostics-limits.md.

- FLC301: flow, step and parameter names longer than 128 characters. Targets shorten names
  to their own limits with a stable hash suffix, but a name still travels whole through the
  IR, task records, datastore paths and Argo template names (128).
- FLC302 (warning): a static split with more than 100 branches: every branch is a separate
  state or task definition, and Step Functions' definition size (1 MiB) and Airflow's UI
  degrade long before; a foreach over a list does the same work with one definition.
- FLC303 (warning): foreach (or num_parallel) nested more than 4 deep: the task count is the
  product of the widths of every level, and Airflow cannot nest mapped task groups at all.
"""

from __future__ import annotations

from collections.abc import Iterator

from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.ir import Split
from flowc.compiler.ir.graph import NodeKind
from flowc.compiler.validate.context import RuleContext

MAX_NAME_LENGTH = 128
MAX_SPLIT_WIDTH = 100
MAX_FOREACH_DEPTH = 4


def check_name_lengths(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC301: a flow, step or parameter name longer than MAX_NAME_LENGTH."""
    named = [("flow", ctx.flow.name, ctx.flow.span)]
    named += [("step", step.name, step.span) for step in ctx.flow.steps]
    named += [("parameter", param.name, param.span) for param in ctx.flow.parameters]
    for kind, name, span in named:
        if len(name) > MAX_NAME_LENGTH:
            yield rule("FLC301").at(
                span, f"{kind} name '{name[:24]}...' is {len(name)} characters long; the "
                f"limit is {MAX_NAME_LENGTH}",
                help=f"shorten the {kind} name to at most {MAX_NAME_LENGTH} characters")


def check_split_width(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC302: a static split wider than MAX_SPLIT_WIDTH branches."""
    for step in ctx.steps.values():
        transition = step.transition
        if isinstance(transition, Split) and len(transition.branches) > MAX_SPLIT_WIDTH:
            yield rule("FLC302").at(
                transition.span, f"step '{step.name}' splits into {len(transition.branches)} "
                f"branches; the budget is {MAX_SPLIT_WIDTH}")


def check_foreach_depth(ctx: RuleContext) -> Iterator[Diagnostic]:
    """FLC303: a foreach that opens a level deeper than MAX_FOREACH_DEPTH."""
    for node in ctx.graph:
        if node.name not in ctx.graph.reachable:
            continue
        if node.kind in (NodeKind.FOREACH, NodeKind.PARALLEL):
            depth = node.foreach_depth + 1
            if depth > MAX_FOREACH_DEPTH:
                step = ctx.steps[node.name]
                yield rule("FLC303").at(
                    ctx.transition_span(step), f"the foreach of step '{node.name}' is nested "
                    f"{depth} deep; the budget is {MAX_FOREACH_DEPTH}")
