"""`flowc inspect` writes the same bytes to a terminal and to a pipe, and its YAML gives every
string back (issue 12, defect 6): click no longer strips an ANSI escape held by a switch value
when stdout is a pipe, and each Unicode line break survives `yaml.safe_load`."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import tty
from pathlib import Path

import pytest
import yaml
from flowc.compiler import ir
from flowc.compiler.pipeline import check_source

from flowc.commands.inspect import YAML_LINE_BREAKS, render_flow

FLOWC = str(Path(sys.executable).with_name("flowc"))
LINE_BREAKS = ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\r", "\n"]


def _source(text: str) -> str:
    """A flow with `text` in a parameter's help and default and in a switch value."""
    return (
        "from flowc import FlowSpec, Parameter, step\n\n\nclass OddFlow(FlowSpec):\n"
        f"    mode = Parameter('mode', default={text!r}, help={'help' + text + 'end'!r})\n\n"
        "    @step\n    def start(self):\n        self.choice = 'x'\n"
        f"        self.next({{{'a' + text + 'b'!r}: self.end, 'plain': self.end}},"
        " condition='choice')\n\n"
        "    @step\n    def end(self):\n        pass\n"
    )


def _run_on_pty(args: list[str]) -> bytes:
    """What `flowc ARGS` writes to a terminal (a raw pty: no \\n -> \\r\\n translation)."""
    leader, follower = pty.openpty()
    tty.setraw(follower)
    process = subprocess.Popen(args, stdout=follower, stderr=subprocess.DEVNULL)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the terminal's other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=30) == 0
    return b"".join(chunks)


@pytest.mark.parametrize("output_format", ["dot", "mermaid", "json", "yaml"])
def test_terminal_and_pipe_get_the_same_bytes(output_format: str, tmp_path: Path) -> None:
    flow = tmp_path / "odd.py"
    flow.write_text(_source("\x1b[31mred\x1b[0m \x85 end"), encoding="utf-8")
    args = [FLOWC, "inspect", str(flow), "--format", output_format]
    piped = subprocess.run(args, capture_output=True, timeout=30, check=True).stdout
    assert _run_on_pty(args) == piped
    if output_format == "dot":
        assert b"\x1b[31m" in piped


@pytest.mark.parametrize("char", LINE_BREAKS, ids=[f"U+{ord(c):04X}" for c in LINE_BREAKS])
@pytest.mark.parametrize("where", ["inside", "alone", "edges"])
def test_every_string_round_trips_through_yaml(char: str, where: str) -> None:
    text = {"inside": f"a{char}b", "alone": char, "edges": f"{char}a {char}{char} b{char}"}[where]
    checked = check_source(_source(text), path="odd.py").checked
    assert checked is not None
    expected = json.loads(ir.dumps(checked.flow))
    assert yaml.safe_load(render_flow(checked, "yaml")) == expected
    param = expected["flow"]["parameters"][0]
    assert text in param["help"] and param["default"]["value"] == text


def test_the_breaks_escaped_are_all_of_unicodes_but_newline_and_return() -> None:
    breaks = {chr(c) for c in range(sys.maxunicode + 1) if len(f"a{chr(c)}b".splitlines()) > 1}
    assert breaks - {"\n", "\r"} == set(YAML_LINE_BREAKS)
