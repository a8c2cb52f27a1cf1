"""Generated flows of any size, for benchmarks and scale tests.

Three shapes: a long chain, a wide static split, and a deep foreach nest (a chain of foreach
levels, each with a body, closed by as many joins). Each function returns the source of a
valid flow with exactly `steps` steps (or as close as the shape allows), importing from
`flowc` or `metaflow`.
"""

from __future__ import annotations

SHAPES = ("chain", "split", "foreach")


def _header(module: str, name: str) -> list[str]:
    return [f"from {module} import FlowSpec, step", "", "", f"class {name}(FlowSpec):"]


def _step(name: str, body: str, *, join: bool = False) -> list[str]:
    args = "self, inputs" if join else "self"
    return ["    @step", f"    def {name}({args}):", f"        {body}", ""]


def _footer(name: str) -> list[str]:
    return ["", 'if __name__ == "__main__":', f"    {name}()", ""]


def chain(steps: int, module: str = "flowc", name: str = "ChainFlow") -> str:
    """start -> s1 -> ... -> end: `steps` steps in a line."""
    lines = _header(module, name)
    names = ["start", *(f"s{i}" for i in range(1, steps - 1)), "end"]
    for current, following in zip(names, names[1:], strict=False):
        lines += _step(current, f"self.x = {len(lines)}\n        self.next(self.{following})")
    lines += _step("end", "pass")
    return "\n".join(lines + _footer(name))


def split(steps: int, module: str = "flowc", name: str = "SplitFlow") -> str:
    """start splits into `steps - 3` branches that meet in one join, then end."""
    branches = [f"b{i}" for i in range(max(steps - 3, 2))]
    targets = ", ".join(f"self.{b}" for b in branches)
    lines = _header(module, name)
    lines += _step("start", f"self.next({targets})")
    for branch in branches:
        lines += _step(branch, f"self.v = {len(lines)}\n        self.next(self.join)")
    lines += _step("join", "self.next(self.end)", join=True)
    lines += _step("end", "pass")
    return "\n".join(lines + _footer(name))


def foreach(steps: int, module: str = "flowc", name: str = "NestFlow", depth: int = 8) -> str:
    """`depth` nested foreach levels; each level's body is a chain, so the flow has about
    `steps` steps in all; every level is closed by its own join."""
    body_len = max((steps - 2 - 2 * depth) // depth, 1)
    lines = _header(module, name)
    previous = "start"
    pending_joins: list[str] = []
    for level in range(depth):
        chain_names = [f"l{level}_{i}" for i in range(body_len)]
        lines += _step(
            previous,
            f"self.items = [0, 1]\n        self.next(self.{chain_names[0]}, foreach='items')",
        )
        for current, following in zip(chain_names, chain_names[1:], strict=False):
            lines += _step(current, f"self.y = {len(lines)}\n        self.next(self.{following})")
        previous = chain_names[-1]
        pending_joins.append(f"j{level}")
    for join_name in reversed(pending_joins):
        lines += _step(previous, f"self.next(self.{join_name})", join=previous.startswith("j"))
        previous = join_name
    lines += _step(previous, "self.next(self.end)", join=True)
    lines += _step("end", "pass")
    return "\n".join(lines + _footer(name))


def generate(shape: str, steps: int, module: str = "flowc") -> str:
    if shape == "chain":
        return chain(steps, module)
    if shape == "split":
        return split(steps, module)
    if shape == "foreach":
        return foreach(steps, module)
    raise ValueError(f"unknown shape {shape!r}; expected one of {', '.join(SHAPES)}")
