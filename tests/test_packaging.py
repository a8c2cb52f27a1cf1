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


def _imported_modules(path: Path) -> set[str]:
    import ast

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_dependency_direction() -> None:
    """docs/architecture.md: the shim imports only the compiler's light modules (never flowc
    or targets, which a task image may not carry); nothing imports the CLI."""
    allowed_compiler = {"compiler.ir", "compiler.graph", "compiler.diagnostics"}
    for path in sorted((ROOT / "runtime_shim").rglob("*.py")):
        for module in _imported_modules(path):
            top = module.split(".", 1)[0]
            assert top not in {"flowc", "targets"}, f"{path.name} imports {module}"
            if top == "compiler":
                assert module in allowed_compiler, f"{path.name} imports {module}"
    for top in TOP_LEVEL:
        for path in sorted((ROOT / top).rglob("*.py")):
            assert "flowc.cli" not in _imported_modules(path), f"{path} imports flowc.cli"
