"""Frontend: step and class decorators, static values and module/class constants."""

from __future__ import annotations

import textwrap

import pytest
from flowc.compiler import ir
from flowc.compiler.frontend import parse_source


def flow_of(source: str) -> ir.Flow:
    module = parse_source(textwrap.dedent(source), "d.py")
    assert module.diagnostics == ()
    [parsed] = module.flows
    assert parsed.diagnostics == (), [d.message for d in parsed.diagnostics]
    return parsed.flow


def decorated(decorator: str, prelude: str = "") -> ir.Decorator:
    """The single decorator of step `start` (the decorator is on line 5 + prelude lines)."""
    source = (
        "from metaflow import FlowSpec, step, retry, resources as res\n"
        "import metaflow\nimport metaflow as mf\n"
        f"{prelude}"
        "class F(FlowSpec):\n"
        f"    @{decorator}\n"
        "    @step\n"
        "    def start(self):\n"
        "        pass\n"
    )
    [deco] = flow_of(source).steps[0].decorators
    return deco


@pytest.mark.parametrize(
    ("decorator", "name"),
    [
        ("retry", "retry"),
        ("retry()", "retry"),
        ("mf.retry(times=1)", "retry"),
        ("metaflow.retry", "retry"),
        ("res(cpu=1)", "resources"),
        ("mf.kubernetes(image='x')", "kubernetes"),
        ("metaflow.card", "card"),
        ("mf.pypi(packages={'a': '1'})", "pypi"),
        ("mf.parallel", "parallel"),
    ],
)
def test_known_step_decorators_in_any_spelling(decorator: str, name: str) -> None:
    deco = decorated(decorator)
    assert (deco.name, deco.known) == (name, True)


@pytest.mark.parametrize(
    ("decorator", "name"),
    [
        ("my_deco", "my_deco"),
        ("my.deco(x=1)", "my.deco"),
        ("mf.not_a_decorator", "mf.not_a_decorator"),
        ("registry['x']", "registry['x']"),
    ],
)
def test_unknown_decorators_keep_their_dotted_name(decorator: str, name: str) -> None:
    deco = decorated(decorator)
    assert (deco.name, deco.known) == (name, False)


def test_bare_decorator_has_no_arguments() -> None:
    assert decorated("retry").arguments == ()
    assert decorated("retry()").arguments == ()


def test_arguments_in_source_order_with_spans() -> None:
    deco = decorated("res(memory=4096, cpu=2)")
    assert deco.span == ir.Span(path="d.py", line=5, col=6, end_line=5, end_col=29)
    assert deco.arguments == (
        ir.Argument(keyword="memory", value=ir.Value(
            source="4096", is_literal=True, value=4096,
            span=ir.Span(path="d.py", line=5, col=17, end_line=5, end_col=21))),
        ir.Argument(keyword="cpu", value=ir.Value(
            source="2", is_literal=True, value=2,
            span=ir.Span(path="d.py", line=5, col=27, end_line=5, end_col=28))),
    )
    unknown = decorated("my.deco(1, 'a', *rest, key=x, **more)")
    assert [(a.keyword, a.value.source, a.value.is_literal) for a in unknown.arguments] == [
        (None, "1", True), (None, "'a'", True), (None, "*rest", False),
        ("key", "x", False), (None, "**more", False)]


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("1", 1),
        ("-1", -1),
        ("+2.5", 2.5),
        ("'a' 'b'", "ab"),
        ("'a' + 'b'", "ab"),
        ("'ab' * 2", "abab"),
        ("True", True),
        ("None", None),
        ("60 * 60", 3600),
        ("2 ** 10", 1024),
        ("7 // 2", 3),
        ("7 % 4", 3),
        ("1 / 4", 0.25),
        ("(1, 'a')", (1, "a")),
        ("[1, [2, 3]]", (1, (2, 3))),
        ("{'a': [1], 'b': {'c': None}}", {"a": (1,), "b": {"c": None}}),
        ("f'plain'", "plain"),
        ("not False", True),
        ("MEM", 4096),
        ("MEM * 2", 8192),
        ("DERIVED", 4096 + 1024),
        ("ENV", {"MODE": "prod", "MEM": 4096}),
    ],
)
def test_static_values(expression: str, value: ir.JsonValue) -> None:
    prelude = "MEM = 4096\nDERIVED: int = MEM + 1024\nENV = {'MODE': 'prod', 'MEM': MEM}\n"
    deco = decorated(f"my.deco(v={expression})", prelude)
    [argument] = deco.arguments
    assert argument.value.is_literal, expression
    assert argument.value.value == value
    assert argument.value.source == expression


@pytest.mark.parametrize(
    "expression",
    [
        "os.environ['X']",
        "compute()",
        "self.x",
        "UNKNOWN",
        "REASSIGNED",
        "CONDITIONAL",
        "LOOPED",
        "b'bytes'",
        "1j",
        "{1: 'a'}",
        "{'a', 'b'}",
        "[*xs]",
        "f'{x}'",
        "1 / 0",
        "10 ** 10 ** 10",
        "'x' * 10 ** 9",
        "1e308 * 10",
        "(-1) ** 0.5",
        "-'a'",
        "True + 1",
        "FROM_CALL",
        "lambda: 1",
    ],
)
def test_non_static_values(expression: str) -> None:
    prelude = (
        "REASSIGNED = 1\nREASSIGNED = 2\n"
        "if x:\n    CONDITIONAL = 1\nCONDITIONAL = 2\n"
        "for LOOPED in range(3):\n    pass\nLOOPED = 1\n"
        "FROM_CALL = compute()\n"
    )
    deco = decorated(f"my.deco(v={expression})", prelude)
    [argument] = deco.arguments
    assert not argument.value.is_literal, expression
    assert argument.value.value is None
    assert argument.value.source == expression


def test_class_constants_and_shadowing() -> None:
    flow = flow_of("""\
        from flowc import FlowSpec, step, resources
        MEM = 1
        CPU = 8

        class F(FlowSpec):
            MEM = 2048
            CPU = compute()

            @resources(memory=MEM, cpu=CPU)
            @step
            def start(self):
                pass
        """)
    deco = flow.steps[0].decorators[0]
    assert deco.literal("memory") == 2048
    cpu = deco.argument("cpu")
    assert cpu is not None and not cpu.is_literal


def test_class_decorators() -> None:
    flow = flow_of("""\
        import metaflow as mf
        from metaflow import project as proj
        CRON = "0 3 * * *"

        @mf.schedule(cron=CRON, timezone="Europe/Paris")
        @proj(name="demo")
        @mf.trigger_on_finish(flow="Upstream")
        @mf.trigger(event="e")
        @other.thing
        @mf.retry
        class F(mf.FlowSpec):
            @mf.step
            def start(self):
                pass
        """)
    assert [(d.name, d.known) for d in flow.decorators] == [
        ("schedule", True), ("project", True), ("trigger_on_finish", True),
        ("trigger", True), ("other.thing", False), ("retry", True)]
    assert flow.decorator("schedule") is not None
    assert flow.decorators[0].literal("cron") == "0 3 * * *"
    assert flow.decorators[0].span == ir.Span(path="d.py", line=5, col=2, end_line=5, end_col=49)


def test_multiline_argument_source_is_verbatim() -> None:
    flow = flow_of("""\
        from flowc import FlowSpec, step, environment

        class F(FlowSpec):
            @environment(vars={
                "A": "1",
                "B": "2",
            })
            @step
            def start(self):
                pass
        """)
    value = flow.steps[0].decorators[0].arguments[0].value
    assert value.value == {"A": "1", "B": "2"}
    assert value.source == '{\n        "A": "1",\n        "B": "2",\n    }'
    assert (value.span.line, value.span.col, value.span.end_line, value.span.end_col) == (
        4, 23, 7, 6)
    assert ir.loads(ir.dumps(flow)) == flow


def test_constants_built_from_constants_are_bounded() -> None:
    doubling = "".join(f"A{i + 1} = [A{i}, A{i}]\n" for i in range(40))
    nesting = "".join(f"B{i + 1} = [B{i}]\n" for i in range(100))
    prelude = f"A0 = 1\n{doubling}B0 = 1\n{nesting}"
    assert decorated("my.deco(v=A10)", prelude).arguments[0].value.is_literal
    assert not decorated("my.deco(v=A40)", prelude).arguments[0].value.is_literal
    assert decorated("my.deco(v=B60)", prelude).arguments[0].value.is_literal
    assert not decorated("my.deco(v=B100)", prelude).arguments[0].value.is_literal


def test_step_applied_twice() -> None:
    module = parse_source(
        "from flowc import FlowSpec, step\nclass F(FlowSpec):\n    @step\n    @step\n"
        "    def start(self):\n        pass\n", "d.py")
    [parsed] = module.flows
    assert [(d.code, d.span.line) for d in parsed.diagnostics] == [("FLC031", 4)]
    assert parsed.flow.steps[0].decorators == ()
