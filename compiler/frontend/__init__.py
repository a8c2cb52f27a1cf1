"""The frontend: flow source -> IR, statically, never importing or running the file.

`parse_source(source, path)` returns every flow of a file (see `flows.py` for which classes
are flows) with the diagnostics only the syntax can show, or one FLC001 when the file does
not parse. It never raises for anything in the file.

Why the standard library's `ast` and not libcst: measured on the reference machine, importing
libcst costs ~0.25 s of process time (as much as Metaflow's whole `check` of a small flow) and
parsing a 2,000-step flow ~0.57 s, before any position is known (libcst's PositionProvider
adds ~1.3 s); `ast.parse` takes ~0.11-0.17 s for the same file and carries positions. The
frontend only reads, so libcst's round-tripping buys nothing here. The cost: the file must be
valid syntax for the running Python (3.11+), and columns arrive as UTF-8 byte offsets, which
`spans.py` converts once. Internal records are NamedTuples rather than dataclasses because a
slotted dataclass costs ~1.7 ms to create at import and every `flowc check` imports this.

Modules, one job each: `syntax` (parse or FLC001), `spans` (positions and source text),
`imports` (which names mean the API), `literals` (static values), `constants`, `decorators`,
`parameters`, `transitions` (`self.next` forms), `steps`, `flows` (classes -> `ir.Flow`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flowc.compiler import ir
from flowc.compiler.diagnostics import Diagnostic, rule
from flowc.compiler.frontend.flows import read_flows
from flowc.compiler.frontend.literals import Evaluator
from flowc.compiler.frontend.syntax import parse_tree

__all__ = ["ParsedFlow", "ParsedModule", "parse_source"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedFlow:
    """One flow of the file, the frontend's diagnostics about it, the steps whose
    `self.next` the frontend rejected (the validator then does not report them missing) and
    the steps it reported as defined inside a block (not reported again as unknown)."""

    flow: ir.Flow
    diagnostics: tuple[Diagnostic, ...]
    rejected_transitions: frozenset[str]
    unseen_steps: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedModule:
    """Every flow of a file, in source order; `diagnostics` holds file-level problems (a
    syntax error), in which case there are no flows."""

    flows: tuple[ParsedFlow, ...]
    diagnostics: tuple[Diagnostic, ...]


def parse_source(source: str, path: str) -> ParsedModule:
    """Reads the flows of `source`; `path` is the display path used in every span."""
    parsed = parse_tree(source, path)
    if isinstance(parsed, Diagnostic):
        return ParsedModule(flows=(), diagnostics=(parsed,))
    evaluator = Evaluator(source_map=parsed.source_map, constants={}, sizes={})
    try:
        results = read_flows(parsed.tree, evaluator)
    except RecursionError:
        return ParsedModule(flows=(), diagnostics=(_too_deep(parsed.source_map.path),))
    flows = tuple(
        ParsedFlow(flow=result.flow, diagnostics=result.diagnostics,
                   rejected_transitions=result.rejected_transitions,
                   unseen_steps=result.unseen_steps)
        for result in results
    )
    return ParsedModule(flows=flows, diagnostics=())


def _too_deep(path: str) -> Diagnostic:
    return rule("FLC001").at(ir.Span(path=path, line=1, col=1, end_line=1, end_col=2),
                             "the file is nested too deeply to be read")
