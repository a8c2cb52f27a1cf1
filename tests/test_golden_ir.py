"""IR goldens: `golden/<example>/ir.json` is byte-for-byte what `flowc.compiler.ir.dumps` gives for
`examples/<example>.py`. Cases are discovered from `examples/*.py`, never listed.

The goldens are syrupy snapshots stored by `IRGoldenExtension`: one file per example at
`golden/<example>/ir.json` (other engineers' goldens live beside it and are never touched),
serialized exactly by `flowc.compiler.ir.dumps`. A stale golden fails with a unified diff and the
command that regenerates it; `tests/conftest.py` refuses that command when CI is set.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flowc.compiler import check_file, ir
from syrupy.assertion import SnapshotAssertion
from syrupy.data import SnapshotCollections
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode
from syrupy.location import PyTestLocation

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
GOLDEN = ROOT / "golden"
GOLDEN_NAME = "ir.json"
UPDATE_COMMAND = ".venv/bin/pytest tests/test_golden_ir.py --snapshot-update"


def compile_example(path: Path) -> ir.Flow:
    """The checked IR of an example, with paths relative to the repository root."""
    result = check_file(path, root=ROOT)
    problems = "\n".join(f"{d.span}: {d.code} {d.message}" for d in result.diagnostics)
    assert result.checked is not None, f"{path.name} does not check:\n{problems}"
    return result.checked.flow


class IRGoldenExtension(SingleFileSnapshotExtension):
    """Snapshot of test parameter `example` at golden/<example>/ir.json, via `ir.dumps`."""

    _write_mode = WriteMode.BINARY
    file_extension = "json"

    def serialize(self, data: Any, **_: Any) -> bytes:
        assert isinstance(data, ir.Flow), f"IR goldens hold ir.Flow, not {type(data).__name__}"
        return ir.dumps(data).encode("utf-8")

    @classmethod
    def get_location(cls, *, test_location: PyTestLocation, index: Any) -> str:
        example = test_location.item.callspec.params["example"]  # type: ignore[attr-defined]
        return str(GOLDEN / str(example) / GOLDEN_NAME)

    @classmethod
    def matches_test_location(cls, *, test_location: PyTestLocation,
                              snapshot_location: str) -> bool:
        return Path(snapshot_location) == Path(cls.get_location(test_location=test_location,
                                                                index=0))

    def discover_snapshots(self, **_: Any) -> SnapshotCollections:
        # golden/ is shared with the targets' goldens: never report or delete any file
        # there as "unused". test_every_golden_has_an_example covers orphans instead.
        return SnapshotCollections()

    def diff_lines(self, serialized_data: Any, snapshot_data: Any) -> Iterator[str]:
        expected, actual = _text(snapshot_data), _text(serialized_data)
        if not expected:
            yield f"The golden is missing: run `{UPDATE_COMMAND}` and commit it."
            return
        # The command comes first: pytest truncates long explanations without -vv.
        yield f"The golden is stale: review the diff (-vv), then run `{UPDATE_COMMAND}`."
        yield from difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                        "golden", "compiled", lineterm="")


def _text(data: Any) -> str:
    if isinstance(data, bytes | bytearray):
        return bytes(data).decode("utf-8", "replace")
    return "" if data is None else str(data)


@pytest.fixture
def golden(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(IRGoldenExtension)


@pytest.mark.parametrize("example", [path.stem for path in EXAMPLES])
def test_ir_golden(example: str, golden: SnapshotAssertion) -> None:
    flow = compile_example(ROOT / "examples" / f"{example}.py")
    assert flow == golden


@pytest.mark.parametrize("example", [path.stem for path in EXAMPLES])
def test_ir_round_trips(example: str) -> None:
    text = ir.dumps(compile_example(ROOT / "examples" / f"{example}.py"))
    assert ir.dumps(ir.loads(text)) == text


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 15, "examples/ should hold one flow per shape"


def test_every_golden_has_an_example() -> None:
    """A golden/<name>/ir.json without examples/<name>.py is left over from a removed example."""
    stems = {path.stem for path in EXAMPLES}
    found = {path.parent.name for path in GOLDEN.glob(f"*/{GOLDEN_NAME}")}
    orphans = sorted(found - stems)
    assert not orphans, f"golden IR without an example (delete golden/<name>/ir.json): {orphans}"
