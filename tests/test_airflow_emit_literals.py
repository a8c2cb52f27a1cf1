"""Python literals for the generated DAG module: any string round-trips through `ast`, and a
string Airflow's Jinja would read is wrapped in `literal(...)`."""

from __future__ import annotations

import ast

from flowc.targets.airflow.literals import Code, is_jinja, py, string, templated
from hypothesis import given
from hypothesis import strategies as st


@given(st.text())
def test_any_string_is_one_constant(text: str) -> None:
    tree = ast.parse(string(text), mode="eval")
    assert isinstance(tree.body, ast.Constant) and tree.body.value == text


@given(st.text())
def test_templated_wraps_exactly_what_jinja_would_read(text: str) -> None:
    written = templated(text)
    tree = ast.parse(written, mode="eval").body
    if is_jinja(text):
        assert isinstance(tree, ast.Call) and ast.unparse(tree.func) == "literal"
        assert ast.literal_eval(tree.args[0]) == text
    else:
        assert ast.literal_eval(tree) == text


def test_what_jinja_reads() -> None:
    for text in ("{{ x }}", "a {% if %}", "{# c #}", "config.json", "pod.yaml", "x.yml"):
        assert is_jinja(text), text
    for text in ("{x}", "{ {", "json", "a.jsonl", "% {braces}"):
        assert not is_jinja(text), text


def test_plain_strings_prefer_double_quotes() -> None:
    assert string("plain") == '"plain"'
    assert string("it's") == '"it\'s"'
    assert string('say "hi"') == "'say \"hi\"'"


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text()
                    | st.floats(allow_nan=False),
                    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
                    max_leaves=20))
def test_json_values_round_trip(value: object) -> None:
    source = py(value)
    assert eval(source, {"__builtins__": {}, "float": float}) == value  # noqa: S307
    assert "float(" in source or ast.literal_eval(source) == value


def test_floats_without_a_literal() -> None:
    assert py(float("inf")) == 'float("inf")' and py(float("-inf")) == 'float("-inf")'
    assert eval(py(float("inf"))) == float("inf")


def test_code_is_written_as_is_and_templates_wrap_inside_collections() -> None:
    assert py([Code("index_path"), "a"]) == '[index_path, "a"]'
    assert py({"K": "{{ v }}"}, template=True) == '{"K": literal("{{ v }}")}'
