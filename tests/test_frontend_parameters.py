"""Frontend: `Parameter(...)` class attributes -> `ir.Parameter` (types, defaults, errors)."""

from __future__ import annotations

import pytest
from flowc.compiler import ir
from flowc.compiler.frontend import ParsedFlow, parse_source

HEADER = (
    "from metaflow import FlowSpec, Parameter, JSONType, step\n"
    "import metaflow as mf\n"
    "DEFAULT_ALPHA = 0.5\n"
    "\n"
    "class F(FlowSpec):\n"
)


def parse_params(*lines: str) -> ParsedFlow:
    """A flow whose class body is `lines` (the first is on line 6)."""
    body = "".join(f"    {line}\n" for line in lines)
    module = parse_source(HEADER + body, "p.py")
    assert module.diagnostics == ()
    [parsed] = module.flows
    return parsed


def one(line: str) -> ir.Parameter:
    parsed = parse_params(line)
    assert parsed.diagnostics == (), [d.message for d in parsed.diagnostics]
    [param] = parsed.flow.parameters
    return param


def test_full_parameter() -> None:
    param = one('alpha = Parameter("learning-rate", default=0.1, type=float, help="lr", '
                'required=True, separator=",")')
    assert param == ir.Parameter(
        name="learning-rate",
        attribute="alpha",
        type="float",
        default=ir.Value(source="0.1", is_literal=True, value=0.1,
                         span=ir.Span(path="p.py", line=6, col=48, end_line=6, end_col=51)),
        required=True,
        help="lr",
        separator=",",
        span=ir.Span(path="p.py", line=6, col=5, end_line=6, end_col=10),
    )
    assert ir.loads(ir.dumps(parse_params(
        'alpha = Parameter("learning-rate", default=0.1, type=float)').flow)) == parse_params(
        'alpha = Parameter("learning-rate", default=0.1, type=float)').flow


@pytest.mark.parametrize(
    ("line", "expected_type"),
    [
        ('p = Parameter("p")', "str"),
        ('p = Parameter("p", default="x")', "str"),
        ('p = Parameter("p", default=3)', "int"),
        ('p = Parameter("p", default=-3)', "int"),
        ('p = Parameter("p", default=2.5)', "float"),
        ('p = Parameter("p", default=True)', "bool"),
        ('p = Parameter("p", default=None)', "str"),
        ('p = Parameter("p", default=[1, 2])', "json"),
        ('p = Parameter("p", default={"a": 1})', "json"),
        ('p = Parameter("p", default=lambda ctx: 3)', "str"),
        ('p = Parameter("p", default=DEFAULT_ALPHA)', "float"),
        ('p = Parameter("p", type=int)', "int"),
        ('p = Parameter("p", type=bool, default=False)', "bool"),
        ('p = Parameter("p", type=str, default="1")', "str"),
        ('p = Parameter("p", type=JSONType, default="{}")', "json"),
        ('p = Parameter("p", type=mf.JSONType)', "json"),
        ('p = mf.Parameter("p", default=1)', "int"),
        ('p: int = Parameter("p", default=1)', "int"),
        ('p = Parameter(name="p", default=1)', "int"),
        ('p = Parameter("p", 1, int, "help text", True)', "int"),
    ],
)
def test_types(line: str, expected_type: str) -> None:
    param = one(line)
    assert (param.name, param.attribute, param.type) == ("p", "p", expected_type)


def test_defaults_are_values() -> None:
    assert one('p = Parameter("p")').default is None
    none_default = one('p = Parameter("p", default=None)').default
    assert none_default is not None and none_default.is_literal and none_default.value is None
    listed = one('p = Parameter("p", default=[1, "a"])').default
    assert listed is not None and listed.value == (1, "a")
    dynamic = one('p = Parameter("p", default=lambda ctx: 3)').default
    assert dynamic is not None and not dynamic.is_literal
    assert dynamic.source == "lambda ctx: 3"
    constant = one('p = Parameter("p", default=DEFAULT_ALPHA)').default
    assert constant is not None and (constant.source, constant.value) == ("DEFAULT_ALPHA", 0.5)


def test_positional_help_and_required() -> None:
    param = one('p = Parameter("p", 1, int, "help text", True)')
    assert (param.help, param.required) == ("help text", True)


def test_show_default_is_metaflows_sixth_positional_argument() -> None:
    param = one('p = Parameter("p", 1, int, "help text", True, False)')
    assert (param.type, param.help, param.required) == ("int", "help text", True)
    parsed = parse_params('p = Parameter("p", 1, int, "h", True, False, 7)')
    assert [(d.code, d.span.col) for d in parsed.diagnostics] == [("FLC020", 50)]


def test_metaflow_only_keywords_are_accepted() -> None:
    assert one('p = Parameter("p", default=1, show_default=False)').type == "int"


def test_parameters_keep_source_order() -> None:
    parsed = parse_params('b = Parameter("b")', 'a = Parameter("a")', 'x = 3')
    assert [p.attribute for p in parsed.flow.parameters] == ["b", "a"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("p = Parameter(NAME)", [("FLC020", 6, 19)]),
        ("p = Parameter(f'{x}')", [("FLC020", 6, 19)]),
        ("p = Parameter()", [("FLC020", 6, 5)]),
        ('p = Parameter("p", color="red")', [("FLC020", 6, 24)]),
        ('p = Parameter("p", **opts)', [("FLC020", 6, 24)]),
        ('p = Parameter("p", required=maybe)', [("FLC020", 6, 33)]),
        ('p = Parameter("p", help=make_help())', [("FLC020", 6, 29)]),
        ('p = Parameter("p", type=list)', [("FLC024", 6, 29)]),
        ('p = Parameter("p", type=dict)', [("FLC024", 6, 29)]),
        ('p = Parameter("p", type=my.Type)', [("FLC024", 6, 29)]),
        ('p = Parameter(3, type=list)', [("FLC020", 6, 19), ("FLC024", 6, 27)]),
    ],
)
def test_invalid_parameters(line: str, expected: list[tuple[str, int, int]]) -> None:
    parsed = parse_params(line)
    assert [(d.code, d.span.line, d.span.col) for d in parsed.diagnostics] == expected
    assert parsed.flow.parameters == ()


def test_parameter_name_from_constant() -> None:
    parsed = parse_params('NAME = "alpha"', "p = Parameter(NAME)")
    assert [p.name for p in parsed.flow.parameters] == ["alpha"]


def test_not_parameters() -> None:
    parsed = parse_params("x = other.Parameter('x')", "y = [Parameter('y')]",
                          "a, b = Parameter('a'), 2")
    assert parsed.flow.parameters == () and parsed.diagnostics == ()


def test_same_attribute_twice_is_kept_for_the_validator() -> None:
    parsed = parse_params('p = Parameter("p")', 'p = Parameter("q", default=1)')
    assert [(p.attribute, p.name, p.span.line) for p in parsed.flow.parameters] == [
        ("p", "p", 6), ("p", "q", 7)]


def test_subclass_parameter_replaces_the_base_one() -> None:
    source = (
        "from flowc import FlowSpec, Parameter\n"
        "class Base(FlowSpec):\n    p = Parameter('p')\n    q = Parameter('q')\n"
        "class F(Base):\n    p = Parameter('p', default=2)\n"
    )
    [parsed] = parse_source(source, "p.py").flows
    assert [(p.attribute, p.type, p.span.line) for p in parsed.flow.parameters] == [
        ("p", "int", 6), ("q", "str", 4)]
