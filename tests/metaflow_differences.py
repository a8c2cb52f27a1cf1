"""The one deliberate difference between flowc's graph rules and Metaflow's, in one place
for every test that compares the two: a switch case into another branch of a split, which
Metaflow accepts and flowc reports as FLC120 (see docs/diagnostics.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flowc.compiler.pipeline import CheckResult


def crossings(theirs: Any) -> set[str]:
    """Steps, not joins, entered from different branches of a split by Metaflow's own
    `split_branches` (a switch case into another branch): what flowc reports as FLC120."""
    def branch(source: Any, target: str) -> tuple[str, ...]:
        fans = source.type in ("split", "foreach")
        return tuple(source.split_branches) + ((target,) if fans else ())
    return {node.name for node in theirs if node.type != "join"
            and len({branch(theirs[s], node.name) for s in node.in_funcs}) > 1}


def is_deliberate_difference(ours: CheckResult, theirs: Any) -> bool:
    """Whether flowc refusing a flow that Metaflow accepts (`theirs`: its FlowGraph) is that
    difference: an FLC120 at a step that Metaflow's graph shows entered across branches."""
    if ours.checked is not None or theirs is None or ours.flow is None:
        return False
    lines = {step.span.line: step.name for step in ours.flow.steps}
    at = {lines.get(d.span.line) for d in ours.diagnostics if d.is_error and d.code == "FLC120"}
    return bool(at & crossings(theirs))
