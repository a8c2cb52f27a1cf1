"""Frontend: syntax errors and hostile input become one FLC001, never a traceback; scale."""

from __future__ import annotations

import ast
import random
import sys
from pathlib import Path

import pytest
from flowc.compiler import ir
from flowc.compiler.frontend import ParsedModule, parse_source

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import flowgen  # noqa: E402


def single_error(source: str) -> tuple[int, int, str]:
    module = parse_source(source, "bad.py")
    assert module.flows == ()
    [problem] = module.diagnostics
    assert problem.code == "FLC001"
    assert problem.span.path == "bad.py"
    return problem.span.line, problem.span.col, problem.message


def test_syntax_error_position() -> None:
    line, col, message = single_error(
        "from flowc import FlowSpec, step\n\nclass F(FlowSpec):\n    def start(self)\n"
        "        pass\n")
    assert (line, col) == (4, 20)
    assert message.startswith("syntax error: ")


def test_unclosed_bracket_points_at_it() -> None:
    assert single_error("x = 'é' + (\n")[:2] == (1, 11)


def test_indentation_error() -> None:
    line, _, message = single_error("class F:\n    x = 1\n      y = 2\n")
    assert line == 3 and "indent" in message


def test_null_byte_position() -> None:
    assert single_error("x = 1\ny = 2\0\n")[:2] == (2, 6)


def test_deep_nesting_is_a_diagnostic() -> None:
    assert single_error("x = " + "(" * 300 + "1" + ")" * 300 + "\n")[0] == 1
    assert single_error("x = " + "-" * 100_000 + "1\n")[:2] == (1, 1)


def test_deep_but_parsable_values() -> None:
    depth = 190  # under the parser's bracket limit, over the static-value depth bound
    source = (
        "from flowc import FlowSpec, step\nclass F(FlowSpec):\n"
        f"    @deco(v={'[' * depth}1{']' * depth}, w={'-' * 400}1)\n"
        "    @step\n    def start(self):\n        pass\n"
    )
    module = parse_source(source, "deep.py")
    v, w = module.flows[0].flow.steps[0].decorators[0].arguments
    assert not v.value.is_literal and v.value.source.startswith("[[[")
    assert ir.loads(ir.dumps(module.flows[0].flow)) == module.flows[0].flow
    assert w.value.value == 1  # an even number of minus signs


def test_lone_surrogate_is_a_diagnostic() -> None:
    assert single_error("x = '\udc80'\n")[0] == 1


def test_empty_and_whitespace_files_have_no_flows() -> None:
    for source in ("", "\n\n", "# only a comment\n", "\ufeff"):
        assert parse_source(source, "e.py") == ParsedModule(flows=(), diagnostics=())


def _mutations(source: str, rng: random.Random, count: int) -> list[str]:
    alphabet = list("()[]{}:,.=@'\"\\#\n\t -+*/%0123456789abcdefselfnext_\0\r") + ["é", "\u2028"]
    tokens = ["self.next(", "@step", "foreach=", "condition=", "Parameter(", "{", "**", "if x:"]
    out = []
    for _ in range(count):
        text = list(source)
        for _ in range(rng.randint(1, 6)):
            position = rng.randrange(len(text) + 1)
            action = rng.random()
            if action < 0.35 and text:
                del text[min(position, len(text) - 1)]
            elif action < 0.7:
                text.insert(position, rng.choice(alphabet))
            else:
                text.insert(position, rng.choice(tokens))
        out.append("".join(text))
    return out


def test_random_mutations_never_raise() -> None:
    rng = random.Random(20261122)
    examples = sorted((ROOT / "examples").glob("*.py"))
    sources = [path.read_text(encoding="utf-8") for path in examples]
    assert sources
    for source in sources:
        for mutated in _mutations(source, rng, 60):
            module = parse_source(mutated, "m.py")
            for parsed in module.flows:
                assert ir.loads(ir.dumps(parsed.flow)) == parsed.flow
                for diagnostic in parsed.diagnostics:
                    assert diagnostic.span.line >= 1 and diagnostic.span.col >= 1
            if module.diagnostics:
                assert module.flows == () and len(module.diagnostics) == 1


@pytest.mark.parametrize("shape", flowgen.SHAPES)
def test_generated_2000_step_flows(shape: str) -> None:
    source = flowgen.generate(shape, 2000)
    module = parse_source(source, f"{shape}.py")
    [parsed] = module.flows
    assert parsed.diagnostics == ()
    assert len(parsed.flow.steps) >= 1900
    assert all(s.transition is not None for s in parsed.flow.steps[:-1])


ODD_EXPRESSIONS = ["{**x}", "{1: self.a}", "self.a.b", "'s' 't'", "-1", "10 ** 10 ** 10",
                   "[[[[1]]]]", "lambda: 0", "{'a': self.start}", "f'{x}'", "None", "self.x"]


def _graft(tree: ast.Module, rng: random.Random, expressions: list[ast.expr],
           statements: list[ast.stmt]) -> None:
    """Replaces a few random expressions and statements of `tree` with others."""
    nodes = list(ast.walk(tree))
    for _ in range(rng.randint(1, 4)):
        parent = rng.choice(nodes)
        for field, value in ast.iter_fields(parent):
            if isinstance(value, ast.expr) and rng.random() < 0.5:
                setattr(parent, field, rng.choice(expressions))
            elif isinstance(value, list) and value and rng.random() < 0.5:
                index = rng.randrange(len(value))
                if isinstance(value[index], ast.expr):
                    value[index] = rng.choice(expressions)
                elif isinstance(value[index], ast.stmt):
                    value[index] = rng.choice(statements)


def test_valid_but_scrambled_flows_never_raise() -> None:
    rng = random.Random(7)
    sources = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").glob("*.py"))]
    everything = ast.parse("\n".join(sources))
    expressions = [n for n in ast.walk(everything) if isinstance(n, ast.expr)]
    expressions += [ast.parse(e, mode="eval").body for e in ODD_EXPRESSIONS] * 20
    statements = [n for n in ast.walk(everything)
                  if isinstance(n, ast.stmt) and not isinstance(n, ast.ClassDef)]
    parsed_flows = 0
    for _ in range(300):
        tree = ast.parse(rng.choice(sources))
        _graft(tree, rng, expressions, statements)
        try:
            source = ast.unparse(ast.fix_missing_locations(tree))
        except Exception:  # an ungraftable tree is not what is tested here
            continue
        module = parse_source(source, "s.py")
        for parsed in module.flows:
            parsed_flows += 1
            assert ir.loads(ir.dumps(parsed.flow)) == parsed.flow
            lines = source.count("\n") + 1
            assert all(1 <= d.span.line <= lines for d in parsed.diagnostics)
    assert parsed_flows > 100


def test_syntax_error_column_after_bom_in_a_real_file(tmp_path: Path) -> None:
    """CPython re-reads the error line from the file named in `filename` when it exists:
    with a BOM on disk (stripped before parsing) the column came out two characters short."""
    from flowc.compiler import check_file

    flow = tmp_path / "bom.py"
    flow.write_bytes(b"\xef\xbb\xbfx = (1 2)\n")
    [problem] = check_file(flow).diagnostics
    assert (problem.code, problem.span.line, problem.span.col) == ("FLC001", 1, 7)


def test_syntax_error_column_ignores_a_different_file_on_disk(tmp_path: Path) -> None:
    from flowc.compiler import check_source

    on_disk = tmp_path / "edited.py"
    on_disk.write_text("'ééééé'\n", encoding="utf-8")
    [problem] = check_source("x = (1 2)\n", path=str(on_disk)).diagnostics
    assert (problem.span.line, problem.span.col) == (1, 6)
