"""Every invalid flow under tests/invalid/ reports exactly the (line, code) pairs its
`# error: [FLC...]` comments mark; and every catalog code has at least one such case.

Cases are discovered, never listed: add a file with markers and it is tested.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flowc.compiler import check_file
from flowc.compiler.diagnostics import RULES

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "invalid"
MARKER = re.compile(r"#\s*error:\s*\[([A-Z0-9,\s]+)\]")
# Codes not covered by case files: FLC201/FLC202 belong to targets (FLC203 is `flowc check`'s),
# FLC004 needs --flow (tested below), FLC005 needs an unreadable file (tested with the CLI).
NOT_BY_FILE = {"FLC004", "FLC005", "FLC305"}  # FLC305: a compiled size (tests/test_sfn_limits.py)


def _case_files() -> list[Path]:
    return sorted(CASES.glob("*.py"))


def expected_pairs(path: Path) -> set[tuple[int, str]]:
    """The (line, code) pairs the file's markers announce."""
    pairs = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = MARKER.search(line)
        if match:
            pairs.update((number, code.strip()) for code in match.group(1).split(","))
    return pairs


@pytest.mark.parametrize("path", _case_files(), ids=lambda p: p.stem)
def test_invalid_flow(path: Path) -> None:
    expected = expected_pairs(path)
    assert expected, f"{path.name} has no '# error: [FLC...]' marker"
    result = check_file(path, root=ROOT)
    found = {(d.span.line, d.code) for d in result.diagnostics}
    details = "\n".join(f"  {d.span}: {d.code} {d.message}" for d in result.diagnostics)
    assert found == expected, f"diagnostics of {path.name}:\n{details}"
    assert result.ok == all(RULES[code].severity != "error" for _, code in expected)


def test_every_code_has_a_case() -> None:
    covered = {code for path in _case_files() for _, code in expected_pairs(path)}
    wanted = {code for code in RULES if not code.startswith("FLC2")} - NOT_BY_FILE | {"FLC203"}
    assert wanted - covered == set(), "codes without a case file under tests/invalid/"


def test_markers_name_catalog_codes() -> None:
    for path in _case_files():
        unknown = {code for _, code in expected_pairs(path)} - set(RULES)
        assert not unknown, f"{path.name} marks codes that are not in the catalog: {unknown}"


def test_unknown_flow_name() -> None:
    path = CASES / "flc003_ambiguous_flow.py"
    result = check_file(path, root=ROOT, flow_name="ThirdFlow")
    assert {(d.span.line, d.code) for d in result.diagnostics} == {(1, "FLC004")}
    chosen = check_file(path, root=ROOT, flow_name="SecondFlow")
    assert chosen.ok and chosen.flow is not None and chosen.flow.name == "SecondFlow"
