"""The distribution lists every package explicitly, and `import flowc` stays light."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOP_LEVEL = ("flowc", "compiler", "targets", "runtime_shim")


def test_pyproject_lists_every_package() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in TOP_LEVEL
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert listed == on_disk


def test_import_flowc_loads_no_heavy_module() -> None:
    probe = (
        "import sys, flowc; heavy = {'libcst', 'click', 'hera', 'yaml', 'jinja2', 'boto3',"
        " 'compiler.frontend', 'compiler.pipeline'}; print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
