"""Target goldens: `golden/<example>/` holds exactly what `flowc compile examples/<example>.py
--target all -o golden/<example>` writes, byte for byte. Examples and targets are discovered
(examples/*.py, flowc.targets.COMPILE_TARGETS), never listed.

`ir.json` is the IR snapshot of tests/test_golden_ir.py (syrupy); every other target's files
are compared here. A stale golden fails with a unified diff and the command that regenerates
it (`--snapshot-update`, which tests/conftest.py refuses when CI is set); a file no target
writes any more is reported, and deleted by the same command.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from flowc.compiler import check_file
from flowc.targets import COMPILE_TARGETS, get_target
from flowc.targets.emit import compile_checked, target_settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
GOLDEN = ROOT / "golden"
SNAPSHOT_TARGETS = ("ir",)  # compared by their own snapshot test
TARGETS = tuple(name for name in COMPILE_TARGETS if name not in SNAPSHOT_TARGETS)
UPDATE_COMMAND = ".venv/bin/python -P -m pytest tests/test_goldens.py --snapshot-update"


def compiled(example: str, targets: tuple[str, ...]) -> dict[str, bytes]:
    """What `flowc compile` writes: settings from the repository's pyproject.toml only (no
    FLOWC_* variable of this machine reaches a golden)."""
    path = ROOT / "examples" / f"{example}.py"
    result = check_file(path, root=ROOT)
    assert result.checked is not None, [d.message for d in result.diagnostics]
    settings = target_settings(targets, path, result.checked, overrides={}, environ={})
    output = compile_checked(result.checked, targets, settings)
    assert output.ok, [f"{d.span}: {d.code} {d.message}" for d in output.diagnostics]
    return dict(output.files)


def refused(example: str, target: str) -> bool:
    """Whether `target` refuses the example with FLC201 (a construct it cannot express, such
    as a switch loop on Airflow): then it has no golden."""
    path = ROOT / "examples" / f"{example}.py"
    result = check_file(path, root=ROOT)
    assert result.checked is not None
    problems = get_target(target).unsupported(result.checked)
    return any(problem.code == "FLC201" for problem in problems)


def accepting(example: str, targets: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(target for target in targets if not refused(example, target))


def _stale(path: Path, expected: bytes | None, actual: bytes) -> str:
    if expected is None:
        return f"{path.relative_to(ROOT)} is missing: run `{UPDATE_COMMAND}` and commit it"
    diff = difflib.unified_diff(expected.decode().splitlines(), actual.decode().splitlines(),
                                "golden", "compiled", lineterm="", n=2)
    return (f"{path.relative_to(ROOT)} is stale: review the diff, then run `{UPDATE_COMMAND}`"
            "\n" + "\n".join(list(diff)[:80]))


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("example", [path.stem for path in EXAMPLES])
def test_target_golden(example: str, target: str, request: pytest.FixtureRequest) -> None:
    update = bool(request.config.getoption("--snapshot-update", default=False))
    if refused(example, target):
        assert not list((GOLDEN / example).glob(f"{target}.*")), "a refused example's golden"
        return
    files = compiled(example, (target,))
    assert files, f"the {target} target wrote nothing"
    for name, data in files.items():
        path = GOLDEN / example / name
        expected = path.read_bytes() if path.exists() else None
        if expected != data and update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            continue
        assert expected == data, _stale(path, expected, data)


@pytest.mark.parametrize("example", [path.stem for path in EXAMPLES])
def test_golden_folder_holds_only_what_compile_writes(
        example: str, request: pytest.FixtureRequest) -> None:
    written = set(compiled(example, accepting(example, COMPILE_TARGETS)))
    present = {path.name for path in (GOLDEN / example).iterdir()}
    leftover = sorted(present - written)
    if leftover and request.config.getoption("--snapshot-update", default=False):
        for name in leftover:
            (GOLDEN / example / name).unlink()
        return
    assert not leftover, (f"golden/{example}/ holds files no target writes: {leftover}; "
                          f"run `{UPDATE_COMMAND}` to delete them")


def test_every_golden_folder_has_an_example() -> None:
    stems = {path.stem for path in EXAMPLES}
    orphans = sorted(path.name for path in GOLDEN.iterdir() if path.name not in stems)
    assert not orphans, f"golden folders without an example (delete them): {orphans}"


def test_the_goldens_are_what_flowc_compile_writes(tmp_path: Path) -> None:
    """The CLI writes the same bytes as the library (one example, every target)."""
    import subprocess
    import sys

    flowc = str(Path(sys.executable).with_name("flowc"))
    done = subprocess.run([flowc, "compile", "examples/switch_in_foreach.py", "--target", "all",
                           "-o", str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    for path in sorted(tmp_path.iterdir()):
        assert path.read_bytes() == (GOLDEN / "switch_in_foreach" / path.name).read_bytes()
    assert {p.name for p in tmp_path.iterdir()} == set(compiled("switch_in_foreach",
                                                                COMPILE_TARGETS))


def test_the_code_package_is_named_without_checking_the_flow_twice() -> None:
    """`with_path` re-roots the checked IR exactly as a second check from the flow's folder
    would (what the code package holds)."""
    from flowc.compiler.ir import dumps
    from flowc.compiler.ir.nodes import with_path

    for path in EXAMPLES:
        checked = check_file(path, root=ROOT).checked
        packaged = check_file(path, root=path.parent).checked
        assert checked is not None and packaged is not None
        assert dumps(with_path(checked.flow, path.name)) == dumps(packaged.flow)
