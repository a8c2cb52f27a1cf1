"""Where paths meet again: the immediate post-dominator of each reachable step, which gives a
switch's merge point (`GraphNode.switch_merge`). Standard library only, like the graph.

One pass in reverse topological order builds the post-dominator tree (Cooper, Harvey and
Kennedy's intersection of tree paths, which needs a single pass on an acyclic graph): a
step's immediate post-dominator is the nearest common ancestor of its successors in the tree
built so far. A step's loop to itself never changes where its paths meet, so it is left out.
On an invalid flow with a cycle, a successor not yet placed is skipped: the answer is then
only approximate, but building never fails (FLC115 reports the cycle).
"""

from __future__ import annotations

from collections.abc import Mapping


def immediate_postdominators(
    order: tuple[str, ...],
    outs: Mapping[str, tuple[str, ...]],
    reachable: set[str] | frozenset[str],
) -> dict[str, str | None]:
    """Each reachable step's immediate post-dominator; None when its paths meet only where
    the flow ends (a step without successors, or successors that end apart)."""
    parent: dict[str, str | None] = {}
    rank: dict[str, int] = {}  # place in the pass: a tree parent always ranks lower
    for name in reversed(order):
        if name not in reachable:
            continue
        placed = [target for target in outs[name] if target != name and target in rank]
        meet: str | None = placed[0] if placed else None
        for target in placed[1:]:
            meet = _nearest_common(meet, target, parent, rank)
        parent[name] = meet
        rank[name] = len(rank)
    return parent


def _nearest_common(
    first: str | None,
    second: str | None,
    parent: Mapping[str, str | None],
    rank: Mapping[str, int],
) -> str | None:
    """The nearest common ancestor of two steps in the post-dominator tree (None: the end)."""
    while first != second:
        if first is None or second is None:
            return None
        if rank[first] > rank[second]:
            first = parent[first]
        else:
            second = parent[second]
    return first
