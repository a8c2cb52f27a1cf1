"""Resume, for every target: which steps of an earlier run a new run re-runs, and which it
reuses. The local runner (targets/local/resume.py) and the orchestrators share these rules.

A resumed run re-runs the failure point (`--from STEP`, else the first step that failed),
everything downstream of it and every step after it in topological order; it reuses the
finished tasks of every other step. On an orchestrator the steps to reuse travel with the new
run (`--reuse-steps`) and each task clones its origin's record when there is one
(runtime_shim/clone.py), so a foreach item that never finished simply runs.
"""

from __future__ import annotations

from collections.abc import Callable

from flowc.compiler.ir.graph import FlowGraph


class ResumeError(ValueError):
    """A resume request that cannot be honoured (unknown run or step)."""


def downstream(graph: FlowGraph, step: str) -> frozenset[str]:
    """`step` and every step reachable from it."""
    if step not in graph:
        known = ", ".join(graph.topological_order)
        raise ResumeError(f"no step named '{step}' in this flow (steps: {known})")
    seen = {step}
    stack = [step]
    while stack:
        for target in graph[stack.pop()].out_steps:
            if target in graph and target not in seen:
                seen.add(target)
                stack.append(target)
    return frozenset(seen)


def rerun_steps(graph: FlowGraph, step: str) -> frozenset[str]:
    """What `--from step` re-runs: `step`, everything downstream of it, and every step that
    does not come before it in topological order (so only earlier steps are reused)."""
    order = graph.topological_order
    later = order[order.index(step):] if step in order else ()
    return downstream(graph, step) | frozenset(later)


def first_failed_step(graph: FlowGraph | tuple[str, ...],
                      failed_steps: tuple[str, ...]) -> str | None:
    """The failure point of a run: its earliest failed step in topological order (of a
    graph, or an order as run.json records it)."""
    order = graph.topological_order if isinstance(graph, FlowGraph) else graph
    failed = set(failed_steps)
    return next((name for name in order if name in failed), None)


def resume_point(graph: FlowGraph, finished: Callable[[str], bool],
                 from_step: str | None = None) -> str | None:
    """Where a resumed run starts re-running: `from_step`, else the first step in topological
    order with no finished task in the origin run (None: every step finished)."""
    if from_step is not None:
        downstream(graph, from_step)  # ResumeError for an unknown step
        return from_step
    return next((name for name in graph.topological_order if not finished(name)), None)


def reused_steps(graph: FlowGraph, finished: Callable[[str], bool],
                 from_step: str | None = None) -> tuple[str, ...]:
    """The steps whose finished tasks a resumed run reuses, in topological order.
    `finished(step)`: the origin run has at least one task record of `step`."""
    point = resume_point(graph, finished, from_step)
    rerun = rerun_steps(graph, point) if point is not None else frozenset()
    return tuple(name for name in graph.topological_order
                 if name not in rerun and finished(name))
