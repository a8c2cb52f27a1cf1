"""asl-validator 4 (npm, run on the project-local Node 22) over many definitions in one process:
`validate_files(paths)` maps each file to its violations (empty when valid)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from sfn.tools import ASL_VALIDATOR, require_node_tools

_VERDICT = re.compile(
    r'^[✓✕] State machine definition "(?P<path>.*)" is (?P<verdict>valid|invalid)')


def validate_files(paths: list[Path]) -> dict[Path, list[str]]:
    """Every file's violations as asl-validator words them ([] for a valid definition). One
    Node process checks them all; a file it gives no verdict for is an error, not a pass."""
    node = require_node_tools()
    argv = [str(node), str(ASL_VALIDATOR)]
    for path in paths:
        argv += ["--json-path", str(path)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    results: dict[Path, list[str]] = {}
    current: list[str] | None = None
    for line in (done.stdout + "\n" + done.stderr).splitlines():
        found = _VERDICT.match(line.strip())
        if found:
            current = [] if found["verdict"] == "valid" else [f"invalid: {line.strip()}"]
            results[Path(found["path"])] = current
        elif current is not None and current and line.strip():
            current.append(line.strip())
    missing = [path for path in paths if path not in results]
    if missing:
        raise RuntimeError(f"asl-validator gave no verdict for {missing[0]} (exit "
                           f"{done.returncode}): {(done.stdout + done.stderr)[-2000:]}")
    if done.returncode != 0 and all(not problems for problems in results.values()):
        raise RuntimeError(f"asl-validator exited {done.returncode} with every file valid: "
                           f"{done.stderr[-2000:]}")
    return results
