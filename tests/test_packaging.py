"""The distribution lists every package explicitly, `import flowc` stays light, and every
import follows the arrows of docs/architecture.md."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# repository folder -> the package it installs as (pyproject's package-dir)
FOLDERS = {"flowc": "flowc", "compiler": "flowc.compiler", "targets": "flowc.targets",
           "runtime_shim": "flowc.runtime_shim"}


def test_pyproject_lists_every_package() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    on_disk = {
        ".".join((package, *init.parent.relative_to(ROOT / folder).parts))
        for folder, package in FOLDERS.items()
        for init in (ROOT / folder).rglob("__init__.py")
    }
    assert listed == on_disk
    package_dir = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-dir"]
    assert package_dir == {package: folder for folder, package in FOLDERS.items()}


def test_import_flowc_loads_no_heavy_module() -> None:
    probe = (
        "import sys, flowc; heavy = {'libcst', 'click', 'hera', 'yaml', 'jinja2', 'boto3',"
        " 'flowc.compiler.frontend', 'flowc.compiler.pipeline'};"
        " print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# The layers of docs/architecture.md and the layers each may import (itself included).
ALLOWED_LAYERS = {
    "cli": {"cli", "public API", "targets", "compiler", "compiler.ir", "runtime_shim"},
    "public API": {"public API", "runtime_shim"},
    "targets": {"targets", "compiler", "compiler.ir", "runtime_shim"},
    "compiler": {"compiler", "compiler.ir"},
    "compiler.ir": {"compiler.ir"},
    "runtime_shim": {"runtime_shim", "compiler.ir"},
}
# Outside flowc, what a layer may import beyond the standard library (None: anything).
THIRD_PARTY = {"compiler.ir": set(), "runtime_shim": {"boto3", "botocore"}}


def _layer(module: str) -> str:
    if module == "flowc.cli" or module.startswith("flowc.commands"):
        return "cli"
    for prefix in ("flowc.compiler.ir", "flowc.compiler", "flowc.targets", "flowc.runtime_shim"):
        if module == prefix or module.startswith(prefix + "."):
            return prefix.removeprefix("flowc.")
    return "public API"  # flowc itself and flowc.client: the re-exported authoring API


def _our_modules() -> dict[str, Path]:
    modules = {}
    for folder, package in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join((package, *parts))] = path
    return modules


def _imports(module: str, path: Path, known: set[str]) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every import of the file: at the top, inside functions
    and under TYPE_CHECKING alike; `from a import b` is `a.b` when that is a module."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                child = f"{base}.{alias.name}"
                yield node.lineno, child if child in known else base


def test_every_import_follows_the_arrows_of_the_architecture() -> None:
    """docs/architecture.md: the CLI -> targets -> compiler, targets -> runtime_shim, the
    runtime shim -> the IR package only, the IR -> the standard library only; nothing
    outside the CLI imports it. Every edge of the real import graph is checked."""
    modules = _our_modules()
    assert {"flowc.cli", "flowc.compiler.ir.graph", "flowc.runtime_shim.execute"} <= set(modules)
    known = set(modules)
    offending = []
    for module, path in modules.items():
        source = _layer(module)
        for line, imported in _imports(module, path, known):
            where = f"{path.relative_to(ROOT)}:{line}: {module} -> {imported}"
            top = imported.split(".")[0]
            if top == "flowc":
                if _layer(imported) not in ALLOWED_LAYERS[source]:
                    offending.append(f"{where} ({source} may not import {_layer(imported)})")
            elif top not in sys.stdlib_module_names and top != "__future__":
                allowed = THIRD_PARTY.get(source)
                if allowed is not None and top not in allowed:
                    offending.append(f"{where} ({source} imports only the standard library"
                                     f"{' and ' + ', '.join(sorted(allowed)) if allowed else ''})")
    assert not offending, "imports against docs/architecture.md:\n" + "\n".join(offending)


def test_a_flow_folder_with_our_old_top_level_names_checks_compiles_and_runs(
        tmp_path: Path) -> None:
    """The flow's folder comes first on `sys.path` in a task: its own `compiler.py`,
    `targets.py` and `runtime_shim.py` must not shadow flowc's packages (they are
    `flowc.compiler`, `flowc.targets`, `flowc.runtime_shim`)."""
    flow_dir = tmp_path / "flow"
    (tmp_path / "ds").mkdir()
    flow_dir.mkdir()
    for name in ("compiler", "targets", "runtime_shim"):
        (flow_dir / f"{name}.py").write_text(f"WHO = {name!r}\nraise ImportError('user {name}')\n"
                                             if name != "targets" else "WHO = 'user targets'\n")
    (flow_dir / "flow.py").write_text(
        "from flowc import FlowSpec, step\nimport targets\n\n"
        "class ShadowFlow(FlowSpec):\n"
        "    @step\n    def start(self):\n        self.who = targets.WHO\n"
        "        self.next(self.end)\n\n"
        "    @step\n    def end(self):\n        pass\n"
    )
    (flow_dir / "pyproject.toml").write_text(
        '[tool.flowc]\nimage = "i"\ndatastore = "s3://b/p"\n'
        '[tool.flowc.sfn]\njob_queue = "q"\njob_definition = "d"\n')
    flowc = str(Path(sys.executable).with_name("flowc"))
    for args in (["check", "flow.py"],
                 ["compile", "flow.py", "--target", "all", "-o", str(tmp_path / "out")],
                 ["run", "flow.py", "--datastore", str(tmp_path / "ds")]):
        done = subprocess.run([flowc, *args], cwd=flow_dir, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
    from flowc.client import Flow

    run = Flow("ShadowFlow", datastore=str(tmp_path / "ds")).latest_run
    assert run is not None and run["start"].task.data.who == "user targets"  # type: ignore[index]
