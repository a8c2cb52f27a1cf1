"""The renderers, asserted as exact strings: diagnostics (concise, full, JSON, summary) and
the pictures of a flow (Mermaid, DOT)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pydot
import pytest
from flowc.compiler import CheckedFlow, check_file
from flowc.compiler.diagnostics import RULES, Diagnostic, rule
from flowc.compiler.ir import Span, Switch
from flowc.compiler.ir.graph import FlowGraph
from flowc.compiler.render import JSON_KEYS, OutputFormat, concise, full, json_data, render, summary
from flowc.targets import pictures
from flowc.targets.lower import lower

SOURCE = """\
from flowc import FlowSpec, step


class X(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
\tpass
"""


def at(code: str, line: int, col: int, end_line: int, end_col: int, message: str,
       path: str = "examples/x.py") -> Diagnostic:
    span = Span(path=path, line=line, col=col, end_line=end_line, end_col=end_col)
    return rule(code).at(span, message)


UNREACHABLE = at("FLC104", 10, 9, 10, 13, "step 'join' is not reachable from 'start'")


def test_concise() -> None:
    assert concise(UNREACHABLE) == (
        "examples/x.py:10:9: error[FLC104] step 'join' is not reachable from 'start'"
    )


def test_concise_warning() -> None:
    warning = at("FLC302", 3, 1, 3, 5, "split into 40 branches")
    assert concise(warning) == "examples/x.py:3:1: warning[FLC302] split into 40 branches"


def test_full_underlines_the_span() -> None:
    assert full(UNREACHABLE, SOURCE) == "\n".join([
        "error[FLC104]: step 'join' is not reachable from 'start'",
        "  --> examples/x.py:10:9",
        "   |",
        "10 |     def join(self, inputs):",
        "   |         ^^^^",
        "   |",
        "   = help: link the step from another step with self.next(...), or delete it",
    ])


def test_full_clamps_a_multiline_span_to_its_first_line() -> None:
    diagnostic = at("FLC112", 6, 5, 8, 1, "step 'start' has no self.next")
    assert full(diagnostic, SOURCE).splitlines()[2:5] == [
        "  |",
        "6 |     def start(self):",
        "  |     ^^^^^^^^^^^^^^^^",
    ]


def test_full_clamps_past_the_end_of_the_line() -> None:
    diagnostic = at("FLC001", 7, 28, 7, 90, "unexpected token")
    assert full(diagnostic, SOURCE).splitlines()[4] == "  |                            ^"


def test_full_keeps_tabs_before_the_caret() -> None:
    diagnostic = at("FLC112", 15, 2, 15, 6, "tabs")
    assert full(diagnostic, SOURCE).splitlines()[3:5] == ["15 | \tpass", "   | \t^^^^"]


def test_full_without_source_has_no_excerpt() -> None:
    diagnostic = at("FLC005", 1, 1, 1, 1, "cannot read 'gone.py': Permission denied", "gone.py")
    assert full(diagnostic, None) == "\n".join([
        "error[FLC005]: cannot read 'gone.py': Permission denied",
        " --> gone.py:1:1",
        "  = help: check the path, its permissions and that it is text in its declared "
        "encoding (UTF-8 without a coding line)",
    ])


def test_full_line_outside_the_source_has_no_excerpt() -> None:
    diagnostic = at("FLC104", 99, 1, 99, 2, "far away")
    assert full(diagnostic, SOURCE).splitlines()[1:] == [
        "  --> examples/x.py:99:1",
        "   = help: " + RULES["FLC104"].help,
    ]


def test_full_uses_the_diagnostic_help() -> None:
    span = Span(path="x.py", line=1, col=1, end_line=1, end_col=5)
    diagnostic = rule("FLC004").at(span, "no flow named 'Foo'", help="did you mean 'Bar'?")
    assert full(diagnostic, "from flowc import FlowSpec\n").splitlines()[-1] == (
        "  = help: did you mean 'Bar'?"
    )


def test_json_has_every_key_in_order() -> None:
    data = json_data(UNREACHABLE)
    assert tuple(data) == JSON_KEYS
    assert data == {
        "code": "FLC104",
        "name": "unreachable-step",
        "severity": "error",
        "message": "step 'join' is not reachable from 'start'",
        "help": RULES["FLC104"].help,
        "path": "examples/x.py",
        "line": 10,
        "col": 9,
        "end_line": 10,
        "end_col": 13,
    }


def test_json_help_is_null_when_empty() -> None:
    diagnostic = Diagnostic(code="FLC104", name="unreachable-step", severity=UNREACHABLE.severity,
                            message="m", help="", span=UNREACHABLE.span)
    assert json_data(diagnostic)["help"] is None
    assert full(diagnostic, None).splitlines()[-1] == "  --> examples/x.py:10:9"


def test_render_json_is_one_list() -> None:
    assert render([], OutputFormat.JSON) == "[]"
    text = render([UNREACHABLE, UNREACHABLE], OutputFormat.JSON)
    assert [item["code"] for item in json.loads(text)] == ["FLC104", "FLC104"]


def test_render_concise_and_full() -> None:
    second = at("FLC112", 6, 5, 6, 10, "no next", path="other.py")
    assert render([UNREACHABLE, second], OutputFormat.CONCISE) == (
        "examples/x.py:10:9: error[FLC104] step 'join' is not reachable from 'start'\n"
        "other.py:6:5: error[FLC112] no next"
    )
    text = render([UNREACHABLE, second], OutputFormat.FULL, {"examples/x.py": SOURCE})
    assert text.count("\n\n") == 1
    assert "10 |     def join(self, inputs):" in text


@pytest.mark.parametrize(
    ("diagnostics", "expected"),
    [
        ([], "All checks passed."),
        ([UNREACHABLE], "Found 1 error in 1 file."),
        ([UNREACHABLE] * 3, "Found 3 errors in 1 file."),
        ([UNREACHABLE, at("FLC302", 1, 1, 1, 2, "w", "b.py")],
         "Found 1 error and 1 warning in 2 files."),
        ([at("FLC302", 1, 1, 1, 2, "w")] * 2, "Found 2 warnings in 1 file (no errors)."),
    ],
)
def test_summary(diagnostics: list[Diagnostic], expected: str) -> None:
    assert summary(diagnostics) == expected


def test_docs_list_every_code() -> None:
    """docs/diagnostics.md has one table row per rule, with its name, severity and help."""
    doc = Path(__file__).resolve().parent.parent / "docs" / "diagnostics.md"
    row = re.compile(r"^\| (FLC\d{3}) \| `([a-z0-9-]+)` \| (error|warning) \| (.*) \|$")
    listed = {}
    for line in doc.read_text(encoding="utf-8").splitlines():
        match = row.match(line)
        if match:
            listed[match.group(1)] = (match.group(2), match.group(3),
                                      match.group(4).replace("\\|", "|"))
    expected = {code: (r.name, r.severity.value, r.help) for code, r in RULES.items()}
    missing = sorted(set(expected) - set(listed))
    extra = sorted(set(listed) - set(expected))
    assert not missing, f"docs/diagnostics.md does not list {missing}"
    assert not extra, f"docs/diagnostics.md lists codes that do not exist: {extra}"
    stale = [code for code in expected if listed[code] != expected[code]]
    assert not stale, f"docs/diagnostics.md rows differ from compiler.diagnostics for {stale}"


# --- pictures -------------------------------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def checked_example(name: str) -> CheckedFlow:
    checked = check_file(EXAMPLES / f"{name}.py", root=EXAMPLES.parent).checked
    assert checked is not None
    return checked


def test_mermaid_of_a_loop_and_its_labels() -> None:
    checked = checked_example("switch_loop")
    assert pictures.mermaid(checked) == (
        "flowchart TD\n"
        '    step_start(["start"])\n'
        '    step_increment{"increment"}\n'
        '    step_end(["end"])\n'
        "    step_start --> step_increment\n"
        '    step_increment -->|"status = again"| step_increment\n'
        '    step_increment -->|"status = done"| step_end\n'
    )


def test_mermaid_shapes_of_splits_joins_and_foreach() -> None:
    checked = checked_example("branch_in_foreach")
    lines = pictures.mermaid(checked).splitlines()
    assert lines[1:9] == [
        '    step_start[["start"]]',
        '    subgraph fanout_start ["foreach numbers"]',
        '        step_prepare[/"prepare"\\]',
        '        step_double["double"]',
        '        step_square["square"]',
        '        step_combine[\\"combine"/]',
        "    end",
        '    step_gather[\\"gather"/]',
    ]
    assert '    step_start -->|"foreach numbers"| step_prepare' in lines


def test_foreach_bodies_nest_as_subgraphs() -> None:
    checked = checked_example("nested_foreach")
    lines = pictures.mermaid(checked).splitlines()
    assert lines[1:15] == [
        '    step_start[["start"]]',
        '    subgraph fanout_start ["foreach years"]',
        '        step_year[["year"]]',
        '        subgraph fanout_year ["foreach quarters"]',
        '            step_quarter[["quarter"]]',
        '            subgraph fanout_quarter ["foreach months"]',
        '                step_month["month"]',
        "            end",
        '            step_join_months[\\"join_months"/]',
        "        end",
        '        step_join_quarters[\\"join_quarters"/]',
        "    end",
        '    step_join_years[\\"join_years"/]',
        '    step_end(["end"])',
    ]
    dot_lines = pictures.dot(checked).splitlines()
    assert dot_lines[6:9] == [
        '    subgraph "cluster_start" {',
        '        label="foreach years";',
        "        style=dashed;",
    ]


def test_dot_of_a_split() -> None:
    checked = checked_example("branch")
    assert pictures.dot(checked) == "\n".join([
        'digraph "BranchFlow" {',
        "    rankdir=TB;",
        '    graph [fontname="Helvetica", fontsize=11];',
        '    node [fontname="Helvetica"];',
        '    edge [fontname="Helvetica", fontsize=10];',
        '    "start" [shape=trapezium];',
        '    "count_words" [shape=box];',
        '    "count_letters" [shape=box];',
        '    "join" [shape=invtrapezium];',
        '    "end" [shape=ellipse, peripheries=2];',
        '    "start" -> "count_words";',
        '    "start" -> "count_letters";',
        '    "count_words" -> "join";',
        '    "count_letters" -> "join";',
        '    "join" -> "end";',
        "}",
        "",
    ])


def test_switch_cases_to_one_target_share_an_edge() -> None:
    checked = checked_example("switch")
    step = checked.flow.step("start")
    assert isinstance(step.transition, Switch)
    cases = (*step.transition.cases,
             replace(step.transition.cases[0], value="scorching"))
    flow = replace(checked.flow, steps=tuple(
        replace(s, transition=replace(step.transition, cases=cases)) if s.name == "start" else s
        for s in checked.flow.steps))
    lowered = lower(CheckedFlow(flow=flow, graph=FlowGraph.build(flow)))
    labels = [edge.label for edge in pictures.MermaidPicture().edges(lowered)
              if edge.source == "start"]
    assert labels == ["band = hot | scorching", "band = mild", "band = cold"]


def test_graphviz_parses_every_example() -> None:
    """pydot's DOT grammar accepts every example's picture, with every step as a node."""
    for path in sorted(EXAMPLES.glob("*.py")):
        checked = checked_example(path.stem)
        graphs = pydot.graph_from_dot_data(pictures.dot(checked))
        assert graphs, path.name
        names = {node.get_name().strip('"') for node in _all_nodes(graphs[0])}
        for step in checked.flow.steps:
            assert step.name in names, (path.name, step.name)


def _all_nodes(graph: pydot.Graph) -> list[pydot.Node]:
    nodes = list(graph.get_nodes())
    for sub in graph.get_subgraphs():
        nodes += _all_nodes(sub)
    return nodes


def test_full_counts_lines_like_the_tokenizer() -> None:
    """A form feed or U+2028 in a comment is no line break for Python: the excerpt must be
    the line the span names, not one shifted by `str.splitlines`."""
    source = "# page\fbreak \u2028 here\nx = 1\ny = self.nope\n"
    text = full(at("FLC114", 3, 5, 3, 14, "unknown"), source)
    assert "3 | y = self.nope\n  |     ^^^^^^^^^" in text


def test_full_hides_a_bom_and_keeps_the_caret_under_the_span() -> None:
    source = "\ufeffx = (1 2)\n"
    text = full(at("FLC001", 1, 7, 1, 8, "syntax error"), source)
    assert "1 | x = (1 2)\n  |      ^\n" in text


ODD_LABELS = '''\
from flowc import FlowSpec, step


class OddLabels(FlowSpec):
    @step
    def start(self):
        self.v = "x"
        self.next({'a"b': self.a, "<i>x</i>": self.b, "#quot; & &amp; `md`\\nnext": self.c},
                  condition="v")

    @step
    def a(self):
        self.next(self.end)

    @step
    def b(self):
        self.next(self.end)

    @step
    def c(self):
        self.next(self.end)

    @step
    def end(self):
        pass
'''


def test_labels_with_markup_quotes_and_newlines_are_escaped(tmp_path: Path) -> None:
    """Switch keys are any string: Mermaid must not read HTML, entity codes or markdown in
    them, nor see a raw newline (which ends the statement); Graphviz must not read `&amp;`
    as an entity."""
    path = tmp_path / "odd.py"
    path.write_text(ODD_LABELS)
    checked = check_file(path, root=tmp_path).checked
    assert checked is not None
    mermaid = pictures.mermaid(checked).splitlines()
    assert {
        '    step_start -->|"v = a#quot;b"| step_a',
        '    step_start -->|"v = #lt;i#gt;x#lt;/i#gt;"| step_b',
        '    step_start -->|"v = #35;quot; #amp; #amp;amp; #96;md#96; next"| step_c',
    } <= set(mermaid)
    dot = pictures.dot(checked)
    assert '[label="v = #quot; &amp; &amp;amp; `md`\\nnext"];' in dot
    [graph] = pydot.graph_from_dot_data(dot)
    labels = {edge.get_label() for edge in graph.get_edges() if edge.get_label()}
    assert '"v = <i>x</i>"' in labels
