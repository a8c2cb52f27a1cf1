"""Where the Node tools of tests/tools/install_node_tools.sh live (.tools/node/), and a check
that fails a test loudly, naming the install script, when they are missing."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / ".tools" / "node"
MODULES = TOOLS / "node_modules"
NODE = MODULES / "node" / "bin" / "node"
ASL_VALIDATOR = MODULES / "asl-validator" / "dist" / "bin" / "asl-validator.js"
EXECUTOR = MODULES / "aws-local-stepfunctions" / "build" / "main.node.esm.js"
INSTALL = "bash tests/tools/install_node_tools.sh"


def require_node_tools() -> Path:
    """The Node 22 binary; fails the calling test when the tools are not installed (tests/run.sh
    installs them; a bare `pytest` needs the script run once)."""
    missing = [path for path in (NODE, ASL_VALIDATOR, EXECUTOR) if not path.exists()]
    if missing:
        pytest.fail(f"the Node test tools are not installed ({missing[0]} is missing): "
                    f"run `{INSTALL}` (tests/run.sh does)", pytrace=False)
    return NODE
