"""`flowc check` agrees with `flowc run` on names (issue 12, defect 5): every flow, step or
parameter name the runtime would refuse (a datastore key, a `--param NAME=VALUE` argument) is
a check diagnostic, and every name check passes is one the runtime takes."""

from __future__ import annotations

import unicodedata

import pytest
from flowc.compiler.pipeline import check_source
from flowc.runtime_shim.errors import UsageError
from flowc.runtime_shim.identity import InvalidTaskId, check_name
from flowc.runtime_shim.params import split_assignments
from hypothesis import given, settings
from hypothesis import strategies as st

HOSTILE = ["ÜnicødeFlöw", "café", "Straße", "ｆｕｌｌｗｉｄｔｈ", "ﬁle", "İstanbul", "x\u0130",
           "ǅungla", "kelvin\u212a", "ᵃbc", "a b", "a=b", "a/b", "a\\b", "a\nb", "a\x85b",
           "a\u2028b", "-lead", ".dot", "..", "", "_", "a,b", "a:b", "a@b", "ab\x00", "名前",
           "λ", "x" * 3, "Tab\t", "semi;colon", "dollar$", "quote'", "a.b"]


def _flow(flow: str = "NamesFlow", step: str = "middle", parameter: str = "p") -> str:
    return (f"from flowc import FlowSpec, Parameter, step\n\n\nclass {flow}(FlowSpec):\n"
            f"    p = Parameter({parameter!r}, default='x')\n\n"
            f"    @step\n    def start(self):\n        self.next(self.{step})\n\n"
            f"    @step\n    def {step}(self):\n        self.next(self.end)\n\n"
            "    @step\n    def end(self):\n        pass\n")


def _codes(source: str) -> set[str]:
    return {d.code for d in check_source(source, path="names.py").diagnostics if d.is_error}


def _run_refuses_key(kind: str, name: str) -> bool:
    try:
        check_name(kind, name)
    except InvalidTaskId:
        return True
    return False


def _run_refuses_parameter(name: str) -> bool:
    try:
        return split_assignments([f"{name}=v"]) != {name: "v"} or _run_refuses_key("p", name)
    except UsageError:
        return True


def _as_python_names_it(name: str) -> str:
    """Python NFKC-normalizes identifiers: `class ｆｕｌｌ` defines a class named `full`."""
    return unicodedata.normalize("NFKC", name)


@pytest.mark.parametrize("name", HOSTILE, ids=repr)
def test_a_flow_name_run_refuses_is_a_check_error(name: str) -> None:
    if not name.isidentifier():
        pytest.skip("not a class name: Python itself refuses it (FLC001)")
    refused = _run_refuses_key("flow", _as_python_names_it(name))
    assert refused == ("FLC304" in _codes(_flow(flow=name)))


@pytest.mark.parametrize("name", HOSTILE, ids=repr)
def test_a_step_name_run_refuses_is_a_check_error(name: str) -> None:
    if not name.isidentifier() or name in {"start", "end"}:
        pytest.skip("not a method name")
    refused = _run_refuses_key("step", _as_python_names_it(name))
    codes = _codes(_flow(step=name))
    assert not refused or "FLC110" in codes


@pytest.mark.parametrize("name", HOSTILE, ids=repr)
def test_a_parameter_name_run_refuses_is_a_check_error(name: str) -> None:
    if "\x00" in name:
        pytest.skip("a NUL cannot be in a command-line argument at all")
    refused = _run_refuses_parameter(name)
    codes = _codes(_flow(parameter=name))
    assert not refused or "FLC027" in codes


def test_the_unicode_flow_of_the_issue() -> None:
    assert "FLC304" in _codes(_flow(flow="ÜnicødeFlöw"))
    assert _codes(_flow()) == set()


_IDENTIFIERS = st.from_regex(r"[^\W\d]\w{0,12}", fullmatch=True).filter(str.isidentifier)


@settings(max_examples=150, deadline=None)
@given(_IDENTIFIERS)
def test_check_and_run_agree_on_every_flow_name(name: str) -> None:
    if name in {"FlowSpec", "Parameter", "step"}:
        return
    refused = _run_refuses_key("flow", _as_python_names_it(name))
    assert refused == ("FLC304" in _codes(_flow(flow=name)))


@settings(max_examples=150, deadline=None)
@given(_IDENTIFIERS)
def test_a_step_name_check_passes_is_one_run_takes(name: str) -> None:
    if name in {"start", "end", "self", "FlowSpec", "Parameter", "step", "p"}:
        return
    if "FLC110" not in _codes(_flow(step=name)):
        assert not _run_refuses_key("step", _as_python_names_it(name))


@settings(max_examples=150, deadline=None)
@given(st.text(min_size=0, max_size=12).filter(lambda s: "\x00" not in s))
def test_check_and_run_agree_on_every_parameter_name(name: str) -> None:
    if "FLC027" not in _codes(_flow(parameter=name)):
        assert not _run_refuses_parameter(name)
