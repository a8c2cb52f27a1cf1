"""`flowc check` reads a flow file as Python does (issue 12, defect 8): a valid PEP 263 coding
line is honoured (a Latin-1 flow checks and runs), and a codec Python does not know is a
syntax error (FLC001 at the coding line), never silently accepted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from flowc.compiler.pipeline import check_file

FLOWC = str(Path(sys.executable).with_name("flowc"))
BODY = ("from flowc import FlowSpec, step\n\n\nclass EncodedFlow(FlowSpec):\n"
        "    @step\n    def start(self):\n        self.word = 'café'\n"
        "        self.next(self.end)\n\n"
        "    @step\n    def end(self):\n        print(self.word)\n")

CASES = {
    "latin-1 declared": b"# -*- coding: latin-1 -*-\n" + BODY.encode("latin-1"),
    "cp1252 on line 2": b"#!/usr/bin/env python\n# coding=cp1252\n" + BODY.encode("cp1252"),
    "utf-8 plain": BODY.encode(),
    "utf-8 bom": b"\xef\xbb\xbf" + BODY.encode(),
    "crlf": BODY.replace("\n", "\r\n").encode(),
    "unknown codec": b"# coding: nonexistent-codec\n" + BODY.encode(),
    "unknown codec line 2": b"#!/usr/bin/env python\n# vim: set fileencoding=nope :\n"
                            + BODY.encode(),
    "latin-1 undeclared": BODY.encode("latin-1"),
    "bom with latin-1": b"\xef\xbb\xbf# coding: latin-1\n" + BODY.encode(),
    "declared utf-8, latin-1 bytes": b"# coding: utf-8\n" + BODY.encode("latin-1"),
}


def _python_reads(raw: bytes) -> bool:
    try:
        compile(raw, "flow.py", "exec")
    except (SyntaxError, UnicodeDecodeError):
        return False
    return True


@pytest.mark.parametrize("case", sorted(CASES))
def test_check_reads_what_python_reads(case: str, tmp_path: Path) -> None:
    path = tmp_path / "flow.py"
    path.write_bytes(CASES[case])
    result = check_file(path)
    codes = {d.code for d in result.diagnostics}
    assert (result.checked is not None) == _python_reads(CASES[case]), codes
    if not _python_reads(CASES[case]):
        assert codes & {"FLC001", "FLC005"}, codes


@pytest.mark.parametrize(("case", "line"), [("unknown codec", 1), ("unknown codec line 2", 2)])
def test_an_unknown_codec_is_flc001_at_the_coding_line(case: str, line: int,
                                                       tmp_path: Path) -> None:
    path = tmp_path / "flow.py"
    path.write_bytes(CASES[case])
    (diagnostic,) = check_file(path).diagnostics
    assert (diagnostic.code, diagnostic.span.line) == ("FLC001", line)
    assert "unknown encoding" in diagnostic.message and diagnostic.help
    assert "codec" in diagnostic.help


@pytest.mark.slow
def test_a_latin1_flow_checks_and_runs(tmp_path: Path) -> None:
    flow = tmp_path / "flow" / "latin.py"
    flow.parent.mkdir()
    flow.write_bytes(CASES["latin-1 declared"])
    store = tmp_path / "ds"
    store.mkdir()
    result = subprocess.run([FLOWC, "run", str(flow), "--datastore", str(store)],
                            capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "end | café" in result.stdout
