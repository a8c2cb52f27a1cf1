"""Code packages: deterministic bytes, what is skipped, uploading once, the once-per-machine
unpack cache, and a task run from a package stored in a local or S3 datastore."""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import stat
import tarfile
from pathlib import Path

import pytest
from flowc.runtime_shim.codepkg import (
    CODE_NAMESPACE,
    IR_FILE,
    cached_package,
    unpack_code_package,
)
from flowc.runtime_shim.datastore.local import LocalDatastore
from flowc.runtime_shim.records import TaskStore
from flowc.targets.package import (
    PackageError,
    build_package,
    package_files,
    upload_package,
)
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
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:  # a plain tar: no zlib
        return {info.name: info for info in tar.getmembers()}


def test_package_contents_and_skips(tmp_path: Path) -> None:
    root = _tree(tmp_path / "src")
    assert [name for name, _ in package_files(root)] == ["flow.py", "helpers/util.py", "run.sh"]
    members = _members(build_package(root, '{"ir": 1}\n'))
    assert list(members) == [IR_FILE, "flow.py", "helpers/util.py", "run.sh"]
    for info in members.values():
        assert (info.mtime, info.uid, info.gid, info.uname, info.gname) == (0, 0, 0, "", "")
    assert members["run.sh"].mode == 0o755 and members["flow.py"].mode == 0o644


def test_same_tree_same_bytes(tmp_path: Path) -> None:
    first = build_package(_tree(tmp_path / "a"), "{}\n")
    second_root = _tree(tmp_path / "b")
    os.utime(second_root / "flow.py", (1, 1))
    assert build_package(second_root, "{}\n") == first
    (second_root / "flow.py").write_text("print('changed')\n")
    assert build_package(second_root, "{}\n") != first
    assert build_package(_tree(tmp_path / "c"), '{"other": 1}\n') != first


def test_unpack_once_into_the_cache(tmp_path: Path) -> None:
    data = build_package(_tree(tmp_path / "src"), '{"ir": 1}\n')
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
    digest = upload_package(ds, tmp_path / "code", ir_json).digest
    assert digest == upload_package(ds, tmp_path / "code", ir_json).digest
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
    digest = upload_package(ds, tmp_path / "code", ir_json).digest
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
    digest = upload_package(ds, tmp_path / "code", ir_json).digest
    (tmp_path / "not-a-dir").write_text("")
    (tmp_path / "tmp").mkdir()
    env = {"FLOWC_CODE_CACHE": str(tmp_path / "not-a-dir" / "cache"),
           "TMPDIR": str(tmp_path / "tmp")}
    result = run_shim("start", datastore=tmp_path / "ds", code_package=digest, env=env)
    assert result.code == 0, result.stderr
    assert cached_package(digest, tmp_path / "tmp" / "flowc-code") is not None


def _copy_with_other_metadata(source: Path, dest: Path) -> Path:
    """A copy of `source` whose files have other mtimes, permission bits and (as root) owners."""
    shutil.copytree(source, dest)
    for number, path in enumerate(sorted(p for p in dest.rglob("*") if p.is_file())):
        executable = path.stat().st_mode & stat.S_IXUSR
        path.chmod(0o700 if executable else 0o600)  # other group/other bits, same owner-exec
        os.utime(path, (1_000_000 + number, 2_000_000 + number))
        if os.geteuid() == 0:
            os.chown(path, 1234 + number, 5678)
    return dest


def test_same_digest_from_copies_with_other_mtimes_modes_and_owners(tmp_path: Path) -> None:
    first = _tree(tmp_path / "a")
    second = _copy_with_other_metadata(first, tmp_path / "b")
    assert (second / "flow.py").stat().st_mtime != (first / "flow.py").stat().st_mtime
    assert (second / "flow.py").stat().st_mode != (first / "flow.py").stat().st_mode
    ds = LocalDatastore(tmp_path / "ds", create=True)
    one, two = upload_package(ds, first, "{}\n"), upload_package(ds, second, "{}\n")
    assert one.digest == two.digest and (one.uploaded, two.uploaded) == (True, False)
    assert build_package(first, "{}\n")[:262].startswith(IR_FILE.encode())  # a tar, not gzip


def test_upload_is_skipped_when_the_package_is_there(tmp_path: Path) -> None:
    root = _tree(tmp_path / "src")
    ds = LocalDatastore(tmp_path / "ds", create=True)
    writes: list[str] = []
    put_blob = ds.put_blob

    def counting_put_blob(namespace: str, data: object, **kwargs: object) -> str:
        writes.append(namespace)
        return put_blob(namespace, data, **kwargs)  # type: ignore[arg-type]

    ds.put_blob = counting_put_blob  # type: ignore[method-assign]
    stored = upload_package(ds, root, "{}\n")
    assert stored.uploaded and writes == [CODE_NAMESPACE]
    again = upload_package(ds, root, "{}\n")
    assert again == dataclasses.replace(stored, uploaded=False) and writes == [CODE_NAMESPACE]
    assert bytes(ds.get_blob(CODE_NAMESPACE, stored.digest)) == build_package(root, "{}\n")


def test_upload_to_s3_once(tmp_path: Path, s3_url: str, s3_client, s3_bucket: str) -> None:
    from flowc.runtime_shim.datastore import open_datastore
    from flowc.runtime_shim.datastore.base import blob_key

    root = _tree(tmp_path / "src")
    ds = open_datastore(s3_url)
    stored = upload_package(ds, root, "{}\n")
    key = "datastore/" + blob_key(CODE_NAMESPACE, stored.digest)
    written = s3_client.head_object(Bucket=s3_bucket, Key=key)["LastModified"]
    copy = _copy_with_other_metadata(root, tmp_path / "copy")
    assert upload_package(ds, copy, "{}\n") == dataclasses.replace(stored, uploaded=False)
    assert s3_client.head_object(Bucket=s3_bucket, Key=key)["LastModified"] == written


def test_a_gzipped_package_of_an_older_flowc_still_unpacks(tmp_path: Path) -> None:
    import gzip

    plain = build_package(_tree(tmp_path / "src"), '{"ir": 1}\n')
    unpacked = unpack_code_package(gzip.compress(plain, mtime=0), "ef" * 32, tmp_path / "cache")
    assert (unpacked / IR_FILE).read_text() == '{"ir": 1}\n'


def test_a_datastore_inside_the_flow_folder_is_refused(tmp_path: Path) -> None:
    root = _tree(tmp_path / "src")
    inside = LocalDatastore(root / "runs", create=True)
    with pytest.raises(PackageError, match="inside the flow's directory"):
        upload_package(inside, root, "{}\n")
    assert upload_package(LocalDatastore(root / ".flowc", create=True), root, "{}\n").uploaded
