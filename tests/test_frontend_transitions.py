"""Frontend: every `self.next` form, and every way of getting it wrong (codes and positions)."""

from __future__ import annotations

import textwrap

import pytest
from flowc.compiler import ir
from flowc.compiler.frontend import ParsedFlow, parse_source

HEADER = "from flowc import FlowSpec, step\nMODE = 'mode'\nKEY = 'k'\n\nclass F(FlowSpec):\n"


def step_source(body: str, *, args: str = "self") -> str:
    """A flow whose step `start` (line 7) has `body` (first body line is line 8)."""
    indented = textwrap.indent(textwrap.dedent(body), " " * 8)
    return f"{HEADER}    @step\n    def start({args}):\n{indented}"


def parse_step(body: str, *, args: str = "self") -> ParsedFlow:
    module = parse_source(step_source(body, args=args), "t.py")
    assert module.diagnostics == ()
    [parsed] = module.flows
    return parsed


def transition(body: str) -> ir.Transition | None:
    parsed = parse_step(body)
    assert parsed.diagnostics == (), [d.message for d in parsed.diagnostics]
    assert parsed.rejected_transitions == frozenset()
    return parsed.flow.steps[0].transition


def problems(body: str, *, args: str = "self") -> list[tuple[str, int, int]]:
    """(code, line, col) of each diagnostic; asserts the transition was rejected."""
    parsed = parse_step(body, args=args)
    assert parsed.rejected_transitions == frozenset({"start"})
    assert parsed.flow.steps[0].transition is None
    return [(d.code, d.span.line, d.span.col) for d in parsed.diagnostics]


def at(line: int, col: int, end_line: int, end_col: int) -> ir.Span:
    return ir.Span(path="t.py", line=line, col=col, end_line=end_line, end_col=end_col)


def test_linear() -> None:
    assert transition("x = 1\nself.next(self.a)") == ir.Linear(
        target="a", target_span=at(9, 19, 9, 25), span=at(9, 9, 9, 26))


def test_split() -> None:
    assert transition("self.next(self.a, self.b, self.c)") == ir.Split(
        branches=("a", "b", "c"),
        branch_spans=(at(8, 19, 8, 25), at(8, 27, 8, 33), at(8, 35, 8, 41)),
        span=at(8, 9, 8, 42))


def test_foreach_literal_and_constant() -> None:
    assert transition("self.next(self.body, foreach='items')") == ir.Foreach(
        target="body", target_span=at(8, 19, 8, 28), items="items", span=at(8, 9, 8, 46))
    assert transition("self.next(self.body, foreach=MODE)") == ir.Foreach(
        target="body", target_span=at(8, 19, 8, 28), items="mode", span=at(8, 9, 8, 43))


def test_switch_with_loop_and_constant_key() -> None:
    result = transition("""\
        self.next(
            {"a": self.a, KEY: self.start},
            condition="mode",
        )""")
    assert result == ir.Switch(
        cases=(ir.SwitchCase(value="a", target="a", target_span=at(9, 19, 9, 25),
                             span=at(9, 14, 9, 17)),
               ir.SwitchCase(value="k", target="start", target_span=at(9, 32, 9, 42),
                             span=at(9, 27, 9, 30))),
        condition="mode",
        span=at(8, 9, 11, 10),
    )
    assert result.targets == ("a", "start")


def test_switch_condition_from_constant() -> None:
    result = transition('self.next({"x": self.a, "y": self.b}, condition=MODE)')
    assert isinstance(result, ir.Switch) and result.condition == "mode"


def test_parallel_literal_and_not() -> None:
    result = transition("self.next(self.train, num_parallel=4)")
    assert isinstance(result, ir.Parallel)
    assert result.target == "train"
    assert result.num_parallel == ir.Value(source="4", is_literal=True, value=4,
                                           span=at(8, 44, 8, 45))
    dynamic = transition("self.next(self.train, num_parallel=self.n)")
    assert isinstance(dynamic, ir.Parallel)
    assert (dynamic.num_parallel.is_literal, dynamic.num_parallel.source) == (False, "self.n")


def test_no_next_is_not_rejected() -> None:
    parsed = parse_step("print('done')")
    assert parsed.flow.steps[0].transition is None
    assert parsed.rejected_transitions == frozenset() and parsed.diagnostics == ()


def test_custom_self_name() -> None:
    parsed = parse_step("me.next(me.a)", args="me")
    assert parsed.flow.steps[0].transition == ir.Linear(
        target="a", target_span=at(8, 17, 8, 21), span=at(8, 9, 8, 22))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("if x:\n    self.next(self.a)\nelse:\n    self.next(self.b)",
         [("FLC011", 9, 13), ("FLC011", 11, 13)]),
        ("for i in x:\n    self.next(self.a)", [("FLC011", 9, 13)]),
        ("while x:\n    self.next(self.a)", [("FLC011", 9, 13)]),
        ("try:\n    self.next(self.a)\nexcept E:\n    pass", [("FLC011", 9, 13)]),
        ("with x:\n    self.next(self.a)", [("FLC011", 9, 13)]),
        ("match x:\n    case 1:\n        self.next(self.a)", [("FLC011", 10, 17)]),
        ("def later():\n    self.next(self.a)", [("FLC011", 9, 13)]),
        ("self.next(self.a)\nx = 1", [("FLC010", 8, 9)]),
        ("self.next(self.a)\nself.next(self.b)", [("FLC016", 9, 9)]),
        ("x = self.next(self.a)", [("FLC113", 8, 13)]),
        ("self.next(getattr(self, 'a'))", [("FLC012", 8, 19)]),
        ("self.next('a')", [("FLC012", 8, 19)]),
        ("self.next(self.a.b)", [("FLC012", 8, 19)]),
        ("self.next(self.a, other.b)", [("FLC012", 8, 27)]),
        ("self.next(self.body, foreach=self.items)", [("FLC013", 8, 38)]),
        ("self.next(self.body, foreach=3)", [("FLC013", 8, 38)]),
        ("self.next({'a': self.a}, condition=mode)", [("FLC014", 8, 44)]),
        ("self.next({1: self.a, 'b': self.b}, condition='m')", [("FLC015", 8, 20)]),
        ("self.next({name: self.a}, condition='m')", [("FLC015", 8, 20)]),
        ("self.next({**cases}, condition='m')", [("FLC015", 8, 22)]),
        ("self.next({'a': 'a'}, condition='m')", [("FLC012", 8, 25)]),
        ("self.next({'a': self.a, 'a': self.b}, condition='m')", [("FLC113", 8, 33)]),
        ("self.next({'a': self.a, 'b': self.b})", [("FLC124", 8, 9)]),
        ("self.next()", [("FLC113", 8, 9)]),
        ("self.next(self.a, when='x')", [("FLC113", 8, 27)]),
        ("self.next(self.a, **kw)", [("FLC113", 8, 27)]),
        ("self.next(*targets)", [("FLC113", 8, 19)]),
        ("self.next(self.a, foreach='x', condition='y')", [("FLC113", 8, 50)]),
        ("self.next(self.a, self.b, foreach='x')", [("FLC113", 8, 9)]),
        ("self.next(self.a, self.b, num_parallel=2)", [("FLC113", 8, 9)]),
        ("self.next(self.a, foreach='x', num_parallel=2)", [("FLC113", 8, 9)]),
        ("self.next(self.a, condition='x')", [("FLC113", 8, 37)]),
        ("self.next(self.a, {'x': self.b}, condition='m')", [("FLC113", 8, 27)]),
        ("self.next({'x': self.b}, self.a, condition='m')", [("FLC113", 8, 34)]),
        ("self.next({'x': self.b}, condition='m', foreach='i')", [("FLC113", 8, 57)]),
    ],
)
def test_rejected_forms(body: str, expected: list[tuple[str, int, int]]) -> None:
    assert problems(body) == expected


def test_every_problem_in_a_step_is_reported() -> None:
    assert problems("""\
        if x:
            self.next(self.a)
        self.next(self.b)
        self.next(self.c)
        """) == [("FLC011", 9, 13), ("FLC016", 11, 9)]


def test_rejected_only_names_the_offending_steps() -> None:
    source = (
        "from flowc import FlowSpec, step\n\nclass F(FlowSpec):\n"
        "    @step\n    def start(self):\n        if x:\n            self.next(self.end)\n\n"
        "    @step\n    def end(self):\n        pass\n"
    )
    [parsed] = parse_source(source, "t.py").flows
    assert parsed.rejected_transitions == frozenset({"start"})
    assert [(d.code, d.span.line) for d in parsed.diagnostics] == [("FLC011", 7)]


def test_messages_say_what_is_wrong() -> None:
    parsed = parse_step("for i in x:\n    self.next(self.a)")
    assert "for loop" in parsed.diagnostics[0].message
    parsed = parse_step("self.next(self.a, when='x')")
    assert "'when'" in parsed.diagnostics[0].message
    parsed = parse_step("self.next('a')")
    assert parsed.diagnostics[0].help == "write self.next(self.a)"


def test_a_diagnostic_about_one_target_points_at_it() -> None:
    """FLC114 (unknown step), FLC113 (a branch named twice) and FLC126 (num_parallel target
    without @parallel) underline the step they are about, not the whole self.next(...)."""
    from flowc.compiler.pipeline import check_source

    source = (
        "from flowc import FlowSpec, step\n"
        "class F(FlowSpec):\n"
        "    @step\n"
        "    def start(self):\n"
        "        self.next(self.a, self.typo)\n"
        "    @step\n"
        "    def a(self):\n"
        "        self.next(self.b, self.c, self.b)\n"
        "    @step\n"
        "    def b(self):\n"
        "        self.next(self.j)\n"
        "    @step\n"
        "    def c(self):\n"
        "        self.next(self.g, num_parallel=2)\n"
        "    @step\n"
        "    def g(self):\n"
        "        self.next(self.j)\n"
        "    @step\n"
        "    def j(self, inputs):\n"
        "        self.next(self.end)\n"
        "    @step\n"
        "    def end(self):\n"
        "        pass\n")
    found = {(d.code, d.span.line, d.span.col, d.span.end_col)
             for d in check_source(source, path="f.py").diagnostics}
    assert ("FLC114", 5, 27, 36) in found  # self.typo
    assert ("FLC113", 8, 35, 41) in found  # the second self.b
    assert ("FLC126", 14, 19, 25) in found  # self.g
