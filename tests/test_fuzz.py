"""Fuzzing the compiler: mutated examples must give diagnostics, never an exception.

Hypothesis deletes, duplicates and swaps lines of the examples, inserts characters and
Python tokens, and truncates; `flowc.compiler.check_source` must return a `CheckResult` for every
input, and the renderers, the IR and the pictures must cope with whatever comes back.
Derandomized and bounded (FLOWC_FUZZ_EXAMPLES, default 200) so it is stable and quick
(FLOWC_FUZZ_RANDOM=1 FLOWC_FUZZ_EXAMPLES=5000 explores new cases);
crashes it once found are kept as regression cases at the bottom.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from flowc.compiler import check_source, ir
from flowc.compiler.pipeline import CheckResult
from flowc.compiler.render import OutputFormat, render, summary
from flowc.targets import pictures
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "examples").glob("*.py"))]
MAX_EXAMPLES = int(os.environ.get("FLOWC_FUZZ_EXAMPLES", "200"))
DERANDOMIZE = not os.environ.get("FLOWC_FUZZ_RANDOM")  # set it to explore beyond the fixed cases
WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")

TOKENS = [
    "self.next(", "self.next(self.end)", "self.next(self.start)", ")", "(", "[", "]", "{", "}",
    ":", ",", "=", "@step", "@step(start=True)", "@retry(times=", "def ", "class ", "pass",
    "inputs", "self", "foreach=", 'foreach="items"', "condition=", '{"a": self.end}',
    "num_parallel=", "Parameter(", "JSONType", "import metaflow", "from flowc import step",
    "lambda: 0", "*", "**", "yield", "async ", "await ", "return", "if True:", "else:",
    "    ", "\t", "\n", "\r\n", "\r", "\x0c", "\x00", "\ufeff", "é", "'''", '"', "'", "\\",
    "#", "# error", "0x", "1e999", "None", "...", "global x", "del self", "@", "->",
]


@st.composite
def mutated_source(draw: st.DrawFn) -> str:
    original = draw(st.sampled_from(SOURCES))
    words = sorted(set(WORD.findall(original)))
    lines = original.splitlines(keepends=True)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        if not lines:
            break
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        operation = draw(st.sampled_from(
            ["delete", "duplicate", "swap", "token", "characters", "truncate", "dedent", "rename"]))
        if operation == "delete":
            del lines[index]
        elif operation == "duplicate":
            lines.insert(index, lines[index])
        elif operation == "swap":
            other = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif operation in ("token", "characters"):
            text = (draw(st.sampled_from(TOKENS)) if operation == "token"
                    else draw(st.text(min_size=1, max_size=6)))
            column = draw(st.integers(min_value=0, max_value=len(lines[index])))
            lines[index] = lines[index][:column] + text + lines[index][column:]
        elif operation == "rename":
            # Keeps the syntax valid far more often, so the validator sees the result.
            found = list(WORD.finditer(lines[index]))
            if found:
                match = draw(st.sampled_from(found))
                word = draw(st.sampled_from(words))
                line = lines[index]
                lines[index] = line[: match.start()] + word + line[match.end():]
        elif operation == "dedent":
            lines[index] = lines[index].lstrip(" ")
        else:
            source = "".join(lines)
            cut = draw(st.integers(min_value=0, max_value=len(source)))
            lines = source[:cut].splitlines(keepends=True)
    return "".join(lines)


def check_everything(source: str) -> CheckResult:
    """Check `source` and use every output path a CLI user could reach with it."""
    result = check_source(source, path="fuzz.py")
    assert isinstance(result, CheckResult)
    for diagnostic in result.diagnostics:  # one line each, at a real place in the file
        span = diagnostic.span
        assert "\n" not in diagnostic.message and "\r" not in diagnostic.message
        assert span.path == "fuzz.py" and span.line >= 1 and span.col >= 1
        assert (span.end_line, span.end_col) >= (span.line, span.col)
    for output_format in OutputFormat:
        render(result.diagnostics, output_format, {"fuzz.py": source})
    summary(result.diagnostics)
    if result.checked is not None:
        text = ir.dumps(result.checked.flow)
        assert ir.dumps(ir.loads(text)) == text
        pictures.mermaid(result.checked)
        pictures.dot(result.checked)
    else:
        assert result.diagnostics, "a flow that did not check must say why"
    return result


@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=DERANDOMIZE, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_source())
def test_mutated_examples_only_give_diagnostics(source: str) -> None:
    check_everything(source)


@settings(max_examples=MAX_EXAMPLES // 2, deadline=None, derandomize=DERANDOMIZE, database=None)
@given(st.text(max_size=200))
def test_arbitrary_text_only_gives_diagnostics(source: str) -> None:
    check_everything(source)


# Regression inputs: each one crashed the compiler once (found by the tests above).
REGRESSIONS: list[str] = [
    "",
    "\x00",
    "from flowc import FlowSpec\nclass F(FlowSpec):\n    pass\n",
]


@pytest.mark.parametrize("source", REGRESSIONS)
def test_regressions(source: str) -> None:
    check_everything(source)
