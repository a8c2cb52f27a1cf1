"""A tiny text form of flows for rule tests, so that rules are tested without the frontend.

One step per line: `name[*] [@deco ...] : transition`, where `*` makes the step a join and
the transition is empty (none), `x` (linear), `x y` (split), `x foreach`,
`x parallel=N`, or `switch k1=x k2=y` (condition "c"). Line N of the text gets spans on
line N, so tests can assert where a diagnostic points.
"""

from __future__ import annotations

from flowc.compiler import ir
from flowc.compiler.ir.graph import FlowGraph
from flowc.compiler.validate import validate

PATH = "flow.py"


def span(line: int, col: int = 1, width: int = 1) -> ir.Span:
    return ir.Span(path=PATH, line=line, col=col, end_line=line, end_col=col + width)


def literal(value: ir.JsonValue, line: int = 1, *, source: str | None = None) -> ir.Value:
    return ir.Value(source=source or repr(value), is_literal=source is None, value=value,
                    span=span(line, 20))


def deco(name: str, line: int = 1, /, known: bool = True, **kwargs: ir.JsonValue) -> ir.Decorator:
    args = tuple(ir.Argument(keyword=k, value=literal(v, line)) for k, v in kwargs.items())
    return ir.Decorator(name=name, known=known, arguments=args, span=span(line, 5))


def _transition(words: list[str], name: str, line: int) -> ir.Transition | None:
    at = span(line, 9)
    if not words:
        return None
    if words[0] == "switch":
        cases = tuple(
            ir.SwitchCase(value=w.split("=")[0], target=w.split("=")[1],
                          target_span=span(line, 40 + i), span=span(line, 16 + i))
            for i, w in enumerate(words[1:]))
        return ir.Switch(cases=cases, condition="c", span=at)
    if len(words) == 2 and words[1] == "foreach":
        return ir.Foreach(target=words[0], target_span=span(line, 19), items="items", span=at)
    if len(words) == 2 and words[1].startswith("parallel="):
        count = int(words[1].split("=")[1])
        return ir.Parallel(target=words[0], target_span=span(line, 19),
                           num_parallel=literal(count, line), span=at)
    if len(words) == 1:
        return ir.Linear(target=words[0], target_span=span(line, 19), span=at)
    return ir.Split(branches=tuple(words),
                    branch_spans=tuple(span(line, 19 + 8 * i) for i in range(len(words))),
                    span=at)


def make_flow(text: str, *, parameters: tuple[ir.Parameter, ...] = (), name: str = "F",
              decorators: tuple[ir.Decorator, ...] = ()) -> ir.Flow:
    steps = []
    for line, raw in enumerate(text.splitlines(), start=1):
        raw = raw.split("#")[0].strip()
        if not raw:
            continue
        head, _, tail = raw.partition(":")
        head_words = head.split()
        step_name = head_words[0]
        is_join = step_name.endswith("*")
        step_name = step_name.rstrip("*")
        decos = tuple(deco(w[1:], line) for w in head_words[1:] if w.startswith("@"))
        steps.append(ir.Step(
            name=step_name, inputs="inputs" if is_join else None,
            argument_count=2 if is_join else 1, decorators=decos,
            transition=_transition(tail.split(), step_name, line), span=span(line, 5)))
    return ir.Flow(name=name, path=PATH, parameters=parameters, steps=tuple(steps),
                   decorators=decorators, span=span(1, 7))


def diagnose(flow: ir.Flow | str, rejected: frozenset[str] = frozenset()) -> set[tuple[int, str]]:
    """The (line, code) pairs validate reports."""
    if isinstance(flow, str):
        flow = make_flow(flow)
    found = validate(flow, FlowGraph.build(flow), rejected_transitions=rejected)
    return {(d.span.line, d.code) for d in found}


def codes(flow: ir.Flow | str) -> set[str]:
    return {code for _, code in diagnose(flow)}


def test_builder_round_trip() -> None:
    flow = make_flow("start: a b\na: j\nb: j\nj*: end\nend:")
    assert ir.loads(ir.dumps(flow)) == flow
    assert diagnose(flow) == set()
