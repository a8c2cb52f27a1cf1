"""Code packages: deterministic bytes, what is skipped, the once-per-machine unpack cache, and
a task run from a package stored in the datastore."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest
from flowc.runtime_shim.codepkg import (
    IR_FILE,
    build_code_package,
    cached_package,
    package_files,
    store_code_package,
    unpack_code_package,
)
from flowc.runtime_shim.datastore.local import LocalDatastore
from flowc.runtime_shim.records import TaskStore
from flows._harness import FLOWS, compile_flow, run_shim


def _tree(root: Path) -> Path:
    files = {
        "flow.py": "print('flow')\n",
        "helpers/util.py": "X = 1\n",
        "ir.json": "stale\n",
        ".flowc/ds/blob": "x",
        ".venv-test/lib.py": "x",
        "helpers/__pycache__/util.cpython-311.pyc": "x",
        ".git/HEAD": "x",
        "node_modules/pkg/index.js": "x",
        "cached.pyc": "x",
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "run.sh").write_text("#!/bin/sh\n")
    (root / "run.sh").chmod(0o755)
    return root


def _members(data: bytes) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        return {info.name: info for info in tar.getmembers()}


def test_package_contents_and_skips(tmp_path: Path) -> None:
    root = _tree(tmp_path / "src")
    assert [name for name, _ in package_files(root)] == ["flow.py", "helpers/util.py", "run.sh"]
    members = _members(build_code_package(root, '{"ir": 1}\n'))
    assert list(members) == [IR_FILE, "flow.py", "helpers/util.py", "run.sh"]
    for info in members.values():
        assert (info.mtime, info.uid, info.gid, info.uname, info.gname) == (0, 0, 0, "", "")
    assert members["run.sh"].mode == 0o755 and members["flow.py"].mode == 0o644


def test_same_tree_same_bytes(tmp_path: Path) -> None:
    first = build_code_package(_tree(tmp_path / "a"), "{}\n")
    second_root = _tree(tmp_path / "b")
    os.utime(second_root / "flow.py", (1, 1))
    assert build_code_package(second_root, "{}\n") == first
    (second_root / "flow.py").write_text("print('changed')\n")
    assert build_code_package(second_root, "{}\n") != first
    assert build_code_package(_tree(tmp_path / "c"), '{"other": 1}\n') != first


def test_unpack_once_into_the_cache(tmp_path: Path) -> None:
    data = build_code_package(_tree(tmp_path / "src"), '{"ir": 1}\n')
    cache = tmp_path / "cache"
    assert cached_package("ab" * 32, cache) is None
    unpacked = unpack_code_package(data, "ab" * 32, cache)
    assert unpacked == cache / ("ab" * 32)
    assert (unpacked / IR_FILE).read_text() == '{"ir": 1}\n'
    assert (unpacked / "helpers" / "util.py").read_text() == "X = 1\n"
    assert cached_package("ab" * 32, cache) == unpacked
    # A second unpack reuses the directory without reading the data again.
    assert unpack_code_package(b"not a tar", "ab" * 32, cache) == unpacked
    assert [p.name for p in cache.iterdir()] == ["ab" * 32]  # no temporary leftovers


def test_unsafe_members_are_refused(tmp_path: Path) -> None:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        info = tarfile.TarInfo("../escape.py")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(tarfile.TarError):
        unpack_code_package(raw.getvalue(), "cd" * 32, tmp_path / "cache")
    assert not (tmp_path / "escape.py").exists()
    assert cached_package("cd" * 32, tmp_path / "cache") is None


def test_task_runs_from_a_stored_package(tmp_path: Path) -> None:
    checked = compile_flow(FLOWS / "shim_foreach.py", tmp_path / "code")
    datastore = tmp_path / "ds"
    datastore.mkdir()
    ds = LocalDatastore(datastore)
    ir_json = (tmp_path / "code" / IR_FILE).read_text()
    (tmp_path / "code" / IR_FILE).unlink()
    digest = store_code_package(ds, tmp_path / "code", ir_json)
    assert digest == store_code_package(ds, tmp_path / "code", ir_json)
    env = {"FLOWC_CODE_CACHE": str(tmp_path / "cache")}
    for step, index in (("start", ()), ("body", (0,))):
        result = run_shim(step, datastore=datastore, code_package=digest, index_path=index,
                          env=env)
        assert result.code == 0, result.stderr
    assert cached_package(digest, tmp_path / "cache") is not None
    record = TaskStore(ds, checked.flow.name).read_record("r1", "body", "t.0")
    assert record is not None and record.status == "ok"

    missing = run_shim("start", datastore=datastore, code_package="0" * 64, env=env)
    assert missing.code == 3 and f"code package {'0' * 64} not found" in missing.last_error_line
    malformed = run_shim("start", datastore=datastore, code_package="xyz", env=env)
    assert malformed.code == 2 and "invalid blob hash" in malformed.last_error_line


def test_task_runs_from_a_package_on_s3(tmp_path: Path, s3_url: str) -> None:
    from flowc.runtime_shim.datastore import open_datastore

    checked = compile_flow(FLOWS / "shim_foreach.py", tmp_path / "code")
    ir_json = (tmp_path / "code" / IR_FILE).read_text()
    ds = open_datastore(s3_url)
    digest = store_code_package(ds, tmp_path / "code", ir_json)
    env = {"FLOWC_CODE_CACHE": str(tmp_path / "cache")}
    start = run_shim("start", datastore=s3_url, code_package=digest, env=env)
    assert start.code == 0, start.stderr
    assert start.outputs["foreach_cardinality"] == 3
    body = run_shim("body", datastore=s3_url, code_package=digest, index_path=(2,), env=env)
    assert body.code == 0, body.stderr
    store = TaskStore(ds, checked.flow.name)
    assert store.load_artifacts(store.read_record("r1", "body", "t.2").artifacts)["item"] == "ccc"


def test_unwritable_cache_falls_back_to_the_temp_directory(tmp_path: Path) -> None:
    compile_flow(FLOWS / "shim_foreach.py", tmp_path / "code")
    (tmp_path / "ds").mkdir()
    ds = LocalDatastore(tmp_path / "ds")
    ir_json = (tmp_path / "code" / IR_FILE).read_text()
    digest = store_code_package(ds, tmp_path / "code", ir_json)
    (tmp_path / "not-a-dir").write_text("")
    (tmp_path / "tmp").mkdir()
    env = {"FLOWC_CODE_CACHE": str(tmp_path / "not-a-dir" / "cache"),
           "TMPDIR": str(tmp_path / "tmp")}
    result = run_shim("start", datastore=tmp_path / "ds", code_package=digest, env=env)
    assert result.code == 0, result.stderr
    assert cached_package(digest, tmp_path / "tmp" / "flowc-code") is not None
