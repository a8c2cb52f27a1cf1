"""Flow rules on hand-built IR: parameters (FLC021-025), decorators (FLC030/031), name
lengths and budgets (FLC3xx), and the speed of validation on large flows."""

from __future__ import annotations

import pytest
from flowc.compiler import ir
from flowc.compiler.ir.graph import FlowGraph
from flowc.compiler.validate import validate
from test_validate_support import codes, deco, diagnose, literal, make_flow, span

VALID = "start: end\nend:"


def param(name: str, type_: ir.ParameterType = "str", default: ir.JsonValue = None, *,
          attribute: str | None = None, line: int = 10, source: str | None = None) -> ir.Parameter:
    value = None if default is None and source is None else literal(default, line, source=source)
    return ir.Parameter(name=name, attribute=attribute or name.replace("-", "_"), type=type_,
                        default=value, span=span(line))


@pytest.mark.parametrize(("params", "expected"), [
    ((param("alpha", "float", 0.5), param("Alpha", "float", 1.0, attribute="b", line=11)),
     {(11, "FLC021")}),
    ((param("my-x", "int", 1), param("my_x", "int", 2, attribute="y", line=11)),
     {(11, "FLC021")}),
    ((param("tags"),), {(10, "FLC022")}),
    ((param("run_id"),), {(10, "FLC022")}),
    ((param("ok", attribute="next"),), {(10, "FLC022")}),
    ((param("name"),), {(10, "FLC022")}),
    ((param("hidden", attribute="_hidden"),), {(10, "FLC022")}),
    ((param("n", "int", "3"),), {(10, "FLC023")}),
    ((param("n", "int", True),), {(10, "FLC023")}),
    ((param("f", "float", 3),), set()),
    ((param("b", "bool", 1),), {(10, "FLC023")}),
    ((param("j", "json", '{"a": 1}'),), set()),
    ((param("j", "json", "{not json"),), {(10, "FLC023")}),
    ((param("j", "json", (1, 2)),), set()),
    ((param("n", "int", None, source="compute()"),), set()),
    ((param("end"),), {(10, "FLC025")}),
    ((param("start", attribute="start_at"),), set()),
])
def test_parameter_rules(params: tuple[ir.Parameter, ...], expected: set[tuple[int, str]]) -> None:
    assert diagnose(make_flow(VALID, parameters=params)) == expected


def _with_step_decorators(*decorators: ir.Decorator) -> ir.Flow:
    flow = make_flow(VALID)
    start = flow.steps[0]
    steps = (ir.Step(name=start.name, decorators=decorators, transition=start.transition,
                     span=start.span), flow.steps[1])
    return ir.Flow(name=flow.name, path=flow.path, steps=steps, span=flow.span)


@pytest.mark.parametrize(("decorators", "expected"), [
    ((deco("retry", 3, times=2, minutes_between_retries=0.5),), set()),
    ((deco("retry", 3, times=-1),), {"FLC030"}),
    ((deco("retry", 3, times=9),), {"FLC030"}),
    ((deco("retry", 3, tries=2),), {"FLC030"}),
    ((deco("resources", 3, cpu=0.5, memory=1024, gpu=0),), set()),
    ((deco("resources", 3, memory="4GB"),), {"FLC030"}),
    ((deco("environment", 3, vars={"A": "1"}),), set()),
    ((deco("environment", 3, vars={"A": 1}),), {"FLC030"}),
    ((deco("secrets", 3, sources=("a", "b")),), set()),
    ((deco("catch", 3, var="err", print_exception=False),), set()),
    ((deco("timeout", 3, minutes=1.5),), {"FLC030"}),
    ((deco("timeout", 3),), {"FLC030"}),  # no duration: Metaflow refuses it
    ((deco("timeout", 3, seconds=0, hours=0),), {"FLC030"}),
    ((deco("timeout", 3, seconds=0, minutes=2),), set()),
    ((deco("kubernetes", 3, node_selector="a=b,c=d"),), set()),
    ((deco("kubernetes", 3, node_selector="linux"),), {"FLC030"}),
    ((deco("secrets", 3, sources=({"id": "k", "type": "aws-secrets-manager"},)),), set()),
    ((deco("secrets", 3, sources=({"type": "aws-secrets-manager"},)),), {"FLC030"}),
    ((deco("schedule", 3, cron="* * * * *"),), {"FLC030"}),
    ((deco("retry", 3), deco("retry", 4)), {"FLC031"}),
    ((deco("card", 3, known=False), deco("card", 4, known=False)), set()),
    ((deco("card", 3, type="blank"), deco("card", 4, id="x")), set()),
    ((deco("pypi", 3, packages={"pandas": "2.2"}, python="3.11"),), set()),
    ((deco("conda", 3, packages=("pandas",)),), {"FLC030"}),
    ((deco("mystery", 3, known=False, anything=1),), set()),
])
def test_step_decorator_rules(decorators: tuple[ir.Decorator, ...], expected: set[str]) -> None:
    assert codes(_with_step_decorators(*decorators)) == expected


@pytest.mark.parametrize(("name", "keyword", "expected"), [
    ("resources", "memory", {"FLC203"}),  # a typed setting: every target needs the value
    ("card", "type", set()),  # known, but no target reads it: kept as written
])
def test_non_literal_decorator_value(name: str, keyword: str, expected: set[str]) -> None:
    value = ir.Value(source="MEMORY * 2", is_literal=False, span=span(3))
    decorator = ir.Decorator(name=name, known=True, span=span(3),
                             arguments=(ir.Argument(keyword=keyword, value=value),))
    assert codes(_with_step_decorators(decorator)) == expected


@pytest.mark.parametrize(("decorators", "expected"), [
    ((deco("schedule", 1, cron="0 3 * * *", timezone="Europe/Paris"),), set()),
    ((deco("schedule", 1, daily="yes"),), {"FLC030"}),
    ((deco("project", 1),), {"FLC030"}),
    ((deco("project", 1, name="p"),), set()),
    ((deco("trigger", 1, event="data_ready"),), set()),
    ((deco("trigger", 1, event={"name": "e", "parameters": {"p": "f"}}),), set()),
    ((deco("trigger", 1, events=({"name": "e", "parameters": ("p", ("q", "f"))},)),), set()),
    ((deco("trigger", 1, event={"name": "e", "params": {}}),), {"FLC030"}),
    ((deco("trigger", 1, event={"parameters": {}}),), {"FLC030"}),
    ((deco("trigger", 1),), {"FLC030"}),  # neither event= nor events=
    ((deco("trigger", 1, event="a", events=("b",)),), {"FLC030"}),
    ((deco("trigger_on_finish", 1, flow={"name": "A", "project": "p"}),), set()),
    ((deco("trigger_on_finish", 1, options={}),), {"FLC030"}),
    ((deco("trigger_on_finish", 1, flows=("A", "B")),), set()),
    ((deco("retry", 1, times=1),), {"FLC030"}),
    ((deco("project", 1, name="p"), deco("project", 2, name="q")), {"FLC031"}),
])
def test_flow_decorator_rules(decorators: tuple[ir.Decorator, ...], expected: set[str]) -> None:
    assert codes(make_flow(VALID, decorators=decorators)) == expected


def test_catch_on_foreach_step() -> None:
    flow = make_flow("start @catch: a foreach\na: j\nj*: end\nend:")
    assert codes(flow) == {"FLC030"}


def test_long_names() -> None:
    long = "s" * 129
    assert diagnose(f"start: {long}\n{long}: end\nend:") == {(2, "FLC301")}
    assert codes(make_flow(VALID, name="F" * 129)) == {"FLC301"}


def test_wide_split_is_a_warning() -> None:
    branches = [f"b{i}" for i in range(101)]
    text = "start: " + " ".join(branches) + "\n" + "".join(f"{b}: j\n" for b in branches)
    text += "j*: end\nend:"
    assert diagnose(text) == {(1, "FLC302")}


def _chain(n: int) -> str:
    names = ["start", *(f"s{i}" for i in range(n - 2)), "end"]
    return "".join(f"{a}: {b}\n" for a, b in zip(names, names[1:], strict=False)) + "end:"


def _split(n: int) -> str:
    branches = [f"b{i}" for i in range(n)]
    return ("start: " + " ".join(branches) + "\n" + "".join(f"{b}: j\n" for b in branches)
            + "j*: end\nend:")


def _nest(depth: int, steps: int) -> str:
    body = max((steps - 2 - 2 * depth) // depth, 1)
    lines, previous = [], "start"
    for level in range(depth):
        chain = [f"l{level}_{i}" for i in range(body)]
        lines.append(f"{previous}: {chain[0]} foreach")
        lines += [f"{a}: {b}" for a, b in zip(chain, chain[1:], strict=False)]
        previous = chain[-1]
    for level in reversed(range(depth)):
        lines.append(f"{previous}{'*' if previous.startswith('j') else ''}: j{level}")
        previous = f"j{level}"
    lines += [f"{previous}*: end", "end:"]
    return "\n".join(lines)


@pytest.mark.parametrize("text", [_chain(2000), _split(1000), _nest(10, 2000)],
                         ids=["chain-2000", "split-1000", "foreach-nest-10"])
def test_large_flows_validate(text: str) -> None:
    """Large flows are valid but for the limit warnings (speed is measured in bench/)."""
    flow = make_flow(text)
    found = validate(flow, FlowGraph.build(flow))
    assert all(d.code in {"FLC302", "FLC303"} for d in found), found
