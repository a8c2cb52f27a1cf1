"""Frontend: which classes are flows, import spellings, bases, steps, docstrings and spans."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from flowc.compiler import ir
from flowc.compiler.frontend import ParsedFlow, ParsedModule, parse_source

ROOT = Path(__file__).resolve().parent.parent


def parse(source: str, path: str = "flow.py") -> ParsedModule:
    return parse_source(textwrap.dedent(source), path)


def only_flow(source: str) -> ParsedFlow:
    module = parse(source)
    assert module.diagnostics == ()
    assert len(module.flows) == 1, [f.flow.name for f in module.flows]
    return module.flows[0]


def span(line: int, col: int, end_line: int, end_col: int, path: str = "flow.py") -> ir.Span:
    return ir.Span(path=path, line=line, col=col, end_line=end_line, end_col=end_col)


HELLO = """\
from flowc import FlowSpec, step


class HelloFlow(FlowSpec):
    '''Say hello.

    Detail:
        indented.
    '''

    @step
    def start(self):
        '''First.'''
        self.next(self.end)

    @step
    def end(self):
        pass
"""


def test_hello_flow_ir_and_spans() -> None:
    parsed = only_flow(HELLO)
    flow = parsed.flow
    assert flow.name == "HelloFlow"
    assert flow.path == "flow.py"
    assert flow.doc == "Say hello.\n\nDetail:\n    indented."
    assert flow.span == span(4, 7, 4, 16)
    assert [s.name for s in flow.steps] == ["start", "end"]
    start, end = flow.steps
    assert start.span == span(12, 9, 12, 14)
    assert start.doc == "First."
    assert start.transition == ir.Linear(target="end", target_span=span(14, 19, 14, 27),
                                         span=span(14, 9, 14, 28))
    assert end.transition is None and end.doc is None
    assert (start.argument_count, start.inputs) == (1, None)
    assert parsed.diagnostics == () and parsed.rejected_transitions == frozenset()


@pytest.mark.parametrize(
    ("imports", "base", "step_deco"),
    [
        ("from metaflow import FlowSpec, step", "FlowSpec", "step"),
        ("from flowc import FlowSpec as FS, step as s", "FS", "s"),
        ("import metaflow", "metaflow.FlowSpec", "metaflow.step"),
        ("import metaflow as mf", "mf.FlowSpec", "mf.step"),
        ("import flowc", "flowc.FlowSpec", "flowc.step"),
        ("from flowc import *", "FlowSpec", "step"),
        ("from metaflow.flowspec import FlowSpec\nfrom metaflow.decorators import step",
         "FlowSpec", "step"),
        ("try:\n    from metaflow import FlowSpec, step\nexcept ImportError:\n"
         "    from flowc import FlowSpec, step", "FlowSpec", "step"),
    ],
)
def test_import_spellings(imports: str, base: str, step_deco: str) -> None:
    source = f"{imports}\n\nclass F({base}):\n    @{step_deco}\n    def start(self):\n" \
             "        self.next(self.end)\n\n    @" + step_deco + "\n    def end(self):\n" \
             "        pass\n"
    flow = only_flow(source).flow
    assert flow.name == "F"
    assert [s.name for s in flow.steps] == ["start", "end"]


@pytest.mark.parametrize(
    "source",
    [
        "class F(FlowSpec):\n    pass\n",  # never imported
        "from other import FlowSpec\nclass F(FlowSpec):\n    pass\n",
        "import metaflow\nclass F(FlowSpec):\n    pass\n",
        "from metaflow import FlowSpec\nFlowSpec = object\nclass F(FlowSpec):\n    pass\n",
        "from flowc import FlowSpec\nclass FlowSpec:\n    pass\nclass F(FlowSpec):\n    pass\n",
    ],
)
def test_not_a_flow(source: str) -> None:
    assert parse(source).flows == ()


def test_undecorated_or_foreign_step_methods_are_ignored() -> None:
    flow = only_flow("""\
        from metaflow import FlowSpec, step
        from other import step as other_step

        class F(FlowSpec):
            def helper(self):
                self.next(self.nowhere)

            @other_step
            def fake(self):
                pass

            @step
            def start(self):
                self.next(self.end)

            @step
            def end(self):
                pass
        """).flow
    assert [s.name for s in flow.steps] == ["start", "end"]


def test_shadowed_step_decorator_is_not_a_step() -> None:
    module = parse("""\
        from metaflow import FlowSpec, step

        def step(f):
            return f

        class F(FlowSpec):
            @step
            def start(self):
                pass
        """)
    assert module.flows[0].flow.steps == ()


def test_several_flows_in_source_order() -> None:
    module = parse("""\
        from flowc import FlowSpec, step

        class B(FlowSpec):
            @step
            def start(self):
                pass

        class A(FlowSpec):
            @step
            def start(self):
                pass
        """)
    assert [f.flow.name for f in module.flows] == ["B", "A"]


BASES = """\
from flowc import FlowSpec, Parameter, step, retry

class Common(FlowSpec):
    alpha = Parameter("alpha", default=1)

    @step
    def start(self):
        self.next(self.middle)

    @step
    def middle(self):
        self.next(self.end)

class Mixin:
    @step
    def end(self):
        pass

class Child(Mixin, Common):
    beta = Parameter("beta", default="x")

    @retry
    @step
    def middle(self):
        self.next(self.end)
"""


def test_same_file_bases_contribute_and_are_not_flows() -> None:
    module = parse(BASES)
    assert [f.flow.name for f in module.flows] == ["Child"]
    flow = module.flows[0].flow
    assert [s.name for s in flow.steps] == ["start", "middle", "end"]
    middle = flow.step("middle")
    assert [d.name for d in middle.decorators] == ["retry"]  # the subclass's override wins
    assert middle.span.line == 24
    assert [p.attribute for p in flow.parameters] == ["alpha", "beta"]
    assert flow.step("end").span.line == 16


def test_two_flows_sharing_a_base() -> None:
    module = parse("""\
        from flowc import FlowSpec, step

        class Base(FlowSpec):
            @step
            def start(self):
                self.next(self.end)

            @step
            def end(self):
                pass

        class One(Base):
            pass

        class Two(Base):
            pass
        """)
    assert [f.flow.name for f in module.flows] == ["One", "Two"]
    assert all(len(f.flow.steps) == 2 for f in module.flows)


def test_duplicate_steps_in_one_class_are_both_kept() -> None:
    flow = only_flow("""\
        from flowc import FlowSpec, step

        class F(FlowSpec):
            @step
            def start(self):
                self.next(self.end)

            @step
            def start(self):
                self.next(self.end)

            @step
            def end(self):
                pass
        """).flow
    assert [(s.name, s.span.line) for s in flow.steps] == [("start", 5), ("start", 9), ("end", 13)]


def test_step_signature_marks_and_join_inputs() -> None:
    flow = only_flow("""\
        from flowc import FlowSpec, step

        class F(FlowSpec):
            @step(start=True)
            def begin(self):
                self.next(self.a, self.b)

            @step
            def a(self):
                self.next(self.join)

            @step
            def b(me):
                me.next(me.join)

            @step
            def join(self, branches, extra):
                self.next(self.finish)

            @step(end=True)
            async def finish(self):
                pass

            @step
            def bare():
                pass
        """).flow
    begin, _, b, join, finish, bare = flow.steps
    assert (begin.is_start, begin.is_end, finish.is_start, finish.is_end) == (True, False,
                                                                            False, True)
    assert b.transition == ir.Linear(target="join", target_span=span(14, 17, 14, 24),
                                     span=span(14, 9, 14, 25))
    assert (join.inputs, join.argument_count) == ("branches", 3)
    assert (bare.inputs, bare.argument_count) == (None, 0)
    assert finish.span == span(21, 15, 21, 21)


def test_step_marks_must_be_booleans() -> None:
    parsed = only_flow("""\
        from flowc import FlowSpec, step
        FLAG = True

        class F(FlowSpec):
            @step(start=FLAG)
            def begin(self):
                pass

            @step(end=maybe(), other=1)
            def end(self):
                pass
        """)
    assert parsed.flow.steps[0].is_start is True
    assert [(d.code, d.span.line, d.span.col) for d in parsed.diagnostics] == [
        ("FLC030", 9, 15), ("FLC030", 9, 24)]


def test_step_must_be_the_innermost_decorator() -> None:
    parsed = only_flow("""\
        from flowc import FlowSpec, step, retry

        class F(FlowSpec):
            @step
            @retry(times=2)
            def start(self):
                pass
        """)
    [problem] = parsed.diagnostics
    assert problem.code == "FLC032"
    assert problem.span == span(4, 6, 4, 10)
    assert "@retry(times=2)" in problem.message
    assert [d.name for d in parsed.flow.steps[0].decorators] == ["retry"]


def test_unicode_columns_are_characters() -> None:
    flow = only_flow("""\
        from flowc import FlowSpec, step

        class Fé(FlowSpec):
            @step
            def start(self):
                x = "ééé"; self.next(self.end)
        """).flow
    assert flow.span == span(3, 7, 3, 9)
    assert flow.steps[0].transition.span == span(6, 20, 6, 39)  # type: ignore[union-attr]


def test_bom_and_crlf() -> None:
    source = "\ufefffrom flowc import FlowSpec, step\r\nclass F(FlowSpec):\r\n    @step\r\n" \
             "    def start(self):\r\n        self.next(self.end)\r\n"
    module = parse_source(source, "w.py")
    flow = module.flows[0].flow
    assert flow.span == span(2, 7, 2, 8, "w.py")
    assert flow.steps[0].transition.span == span(5, 9, 5, 28, "w.py")  # type: ignore[union-attr]


def test_examples_round_trip_through_ir_json() -> None:
    examples = sorted((ROOT / "examples").glob("*.py"))
    assert examples, "the examples directory is empty"
    for example in examples:
        relative = example.relative_to(ROOT).as_posix()
        module = parse_source(example.read_text(encoding="utf-8"), relative)
        assert module.diagnostics == (), relative
        assert module.flows, relative
        for parsed in module.flows:
            assert parsed.flow.path == relative
            assert ir.loads(ir.dumps(parsed.flow)) == parsed.flow


def test_star_import_names_can_be_shadowed() -> None:
    flow = only_flow("""\
        from flowc import *

        def retry(f):
            return f

        class F(FlowSpec):
            @retry
            @timeout(seconds=5)
            @step
            def start(self):
                pass
        """).flow
    assert [(d.name, d.known) for d in flow.steps[0].decorators] == [
        ("retry", False), ("timeout", True)]


def test_submodule_import_binds_the_package() -> None:
    flow = only_flow("""\
        import metaflow.plugins
        import flowc.api as api

        class F(metaflow.FlowSpec):
            @api.retry
            @metaflow.step
            def start(self):
                pass
        """).flow
    assert [(d.name, d.known) for d in flow.steps[0].decorators] == [("retry", True)]


def test_each_class_sees_the_imports_of_its_time() -> None:
    module = parse("""\
        from metaflow import FlowSpec, step

        class Early(FlowSpec):
            @step
            def start(self):
                pass

        from other import step

        class Late(FlowSpec):
            @step
            def start(self):
                pass
        """)
    assert [(f.flow.name, len(f.flow.steps)) for f in module.flows] == [("Early", 1), ("Late", 0)]


def test_relative_import_shadows_the_api() -> None:
    module = parse("""\
        from metaflow import FlowSpec, step
        from .local import step

        class F(FlowSpec):
            @step
            def start(self):
                pass
        """)
    assert module.flows[0].flow.steps == ()


def test_a_later_plain_binding_hides_a_step_or_parameter() -> None:
    """Python's attribute lookup: a subclass's plain `def a` (or `a = ...`, or a later
    binding in the same body) hides the step or parameter; Metaflow then does not see it
    (a transition to it is 'unknown step'), so flowc must not either."""
    flow = parse("""\
        from flowc import FlowSpec, Parameter, step

        class Base(FlowSpec):
            p = Parameter("p", default=1)
            q = Parameter("q", default=2)

            @step
            def start(self):
                self.next(self.a)

            @step
            def a(self):
                self.next(self.end)

            @step
            def b(self):
                self.next(self.end)

            @step
            def end(self):
                pass

        class Child(Base):
            p = 5

            def a(self):
                pass

            @step
            def c(self):
                self.next(self.end)
            c = None
        """).flows[0].flow
    assert [s.name for s in flow.steps] == ["start", "b", "end"]
    assert [p.attribute for p in flow.parameters] == ["q"]


def test_a_step_redefined_after_a_plain_binding_is_a_step() -> None:
    flow = only_flow("""\
        from flowc import FlowSpec, step

        class F(FlowSpec):
            end = None

            @step
            def start(self):
                self.next(self.end)

            def helper(self):
                pass

            @step
            def end(self):
                pass
        """).flow
    assert [s.name for s in flow.steps] == ["start", "end"]
