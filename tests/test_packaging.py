"""The distribution lists every package explicitly, and `import flowc` stays light."""

from __future__ import annotations

import subprocess
import sys
import tomllib
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
    allowed_compiler = {"flowc.compiler.ir", "flowc.compiler.ir.graph",
                        "flowc.compiler.diagnostics"}
    shim_files = sorted((ROOT / "runtime_shim").rglob("*.py"))
    assert shim_files
    for path in shim_files:
        for module in _imported_modules(path):
            if module.startswith("flowc.compiler.ir."):  # the IR package is the shim's
                continue
            if module.startswith("flowc.compiler"):
                assert module in allowed_compiler, f"{path.name} imports {module}"
            elif module.split(".")[0] == "flowc":
                assert module.startswith("flowc.runtime_shim"), f"{path.name} imports {module}"
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            assert "flowc.cli" not in _imported_modules(path), f"{path} imports flowc.cli"


def test_a_flow_folder_with_our_old_top_level_names_checks_and_runs(tmp_path: Path) -> None:
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
    flowc = str(Path(sys.executable).with_name("flowc"))
    for args in (["check", "flow.py"], ["run", "flow.py", "--datastore", str(tmp_path / "ds")]):
        done = subprocess.run([flowc, *args], cwd=flow_dir, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
    from flowc.client import Flow

    run = Flow("ShadowFlow", datastore=str(tmp_path / "ds")).latest_run
    assert run is not None and run["start"].task.data.who == "user targets"  # type: ignore[index]
