"""The local datastore: atomic writes (including a writer killed mid-blob), dedup,
verification on read, listings, URLs and the one-line errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from flowc.runtime_shim.datastore import (
    DatastoreError,
    IntegrityError,
    LocalDatastore,
    NotFound,
    open_datastore,
)
from flowc.runtime_shim.datastore.base import blob_key
from flowc.runtime_shim.datastore.digest import PARALLEL_MIN, blob_digest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def _sha(data: bytes) -> str:
    return blob_digest([data])


@pytest.fixture
def store(tmp_path: Path) -> LocalDatastore:
    return LocalDatastore(tmp_path)


def test_open_datastore_urls(tmp_path: Path) -> None:
    assert open_datastore(str(tmp_path)).url == str(tmp_path)
    assert open_datastore(f"file://{tmp_path}").url == str(tmp_path)
    assert open_datastore(f"file://localhost{tmp_path}").url == str(tmp_path)
    (tmp_path / "a b").mkdir()
    assert open_datastore(f"file://{tmp_path}/a%20b").url == str(tmp_path / "a b")
    with pytest.raises(DatastoreError, match=r"unsupported datastore URL scheme 'gs://'"):
        open_datastore("gs://bucket/x")
    with pytest.raises(DatastoreError, match="unsupported file URL"):
        open_datastore("file://host/dir")


@pytest.mark.parametrize(("url", "bucket", "prefix"), [
    ("s3://my-bucket", "my-bucket", ""),
    ("s3://my.bucket/", "my.bucket", ""),
    ("s3://b12/runs/flowc/", "b12", "runs/flowc"),
    ("s3://b12//x", "b12", "x"),
    ("s3://b12/a b", "b12", "a b"),
])
def test_s3_urls(url: str, bucket: str, prefix: str) -> None:
    from flowc.runtime_shim.datastore.s3 import parse_s3_url

    assert parse_s3_url(url) == (bucket, prefix)


@pytest.mark.parametrize(("url", "needle"), [
    ("s3://", "invalid S3 bucket name ''"),
    ("s3:///x", "invalid S3 bucket name ''"),
    ("s3://My_Bucket/x", "invalid S3 bucket name 'My_Bucket'"),
    ("s3://ab", "invalid S3 bucket name 'ab'"),
    ("s3://a..b", "invalid S3 bucket name 'a..b'"),
    ("s3://bkt/a//b", "invalid S3 prefix 'a//b'"),
    ("s3://bkt/a/../b", "invalid S3 prefix 'a/../b'"),
])
def test_bad_s3_urls_are_one_line_errors(url: str, needle: str) -> None:
    with pytest.raises(DatastoreError) as info:
        open_datastore(url)
    assert needle in str(info.value) and "\n" not in str(info.value)


def test_missing_directory_is_one_line_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(DatastoreError) as info:
        open_datastore(str(missing))
    assert str(info.value) == f"datastore directory '{missing}' does not exist"
    assert not missing.exists()
    (tmp_path / "file").write_text("")
    with pytest.raises(DatastoreError, match="is not a directory"):
        open_datastore(str(tmp_path / "file"))
    assert open_datastore(str(missing / ".flowc"), create=True).url == str(missing / ".flowc")


def test_blob_round_trip_and_layout(store: LocalDatastore, tmp_path: Path) -> None:
    digest = store.put_blob("F", [b"abc", memoryview(b"def"), bytearray(b"g")])
    assert digest == _sha(b"abcdefg")
    path = tmp_path / "F" / "blobs" / digest[:2] / digest
    assert path.read_bytes() == b"abcdefg"
    view = store.get_blob("F", digest)
    assert bytes(view) == b"abcdefg" and not view.readonly
    assert store.has_blob("F", digest) and not store.has_blob("G", digest)
    assert store.list_keys("F") == [blob_key("F", digest)]


def test_dedup_keeps_the_existing_file(store: LocalDatastore, tmp_path: Path) -> None:
    digest = store.put_blob("F", b"same")
    path = tmp_path / blob_key("F", digest)
    before = path.stat()
    assert store.put_blob("F", b"same") == digest
    assert store.put_blob("F", b"same", digest=digest) == digest
    after = path.stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)
    assert [p.name for p in path.parent.parent.rglob("*")] == [digest[:2], digest]


def test_put_with_wrong_digest_is_refused(store: LocalDatastore) -> None:
    with pytest.raises(IntegrityError, match="not to the given"):
        store.put_blob("F", b"data", digest=_sha(b"other"))
    assert not store.has_blob("F", _sha(b"other"))
    assert store.list_keys("F") == []


def test_corrupt_blob_is_integrity_error(store: LocalDatastore, tmp_path: Path) -> None:
    digest = store.put_blob("F", b"good bytes")
    path = tmp_path / blob_key("F", digest)
    path.write_bytes(b"evil bytes")
    with pytest.raises(IntegrityError) as info:
        store.get_blob("F", digest)
    assert str(info.value).startswith(f"blob {digest} at {path} is corrupt")
    path.write_bytes(b"short")
    store.put_blob("F", b"good bytes")  # a blob of the wrong size is repaired on put
    assert bytes(store.get_blob("F", digest)) == b"good bytes"


def test_missing_blob_and_key(store: LocalDatastore) -> None:
    with pytest.raises(NotFound, match="not found"):
        store.get_blob("F", _sha(b"x"))
    with pytest.raises(NotFound, match="does not exist"):
        store.get_bytes("F/runs/r/run.json")
    with pytest.raises(ValueError, match="invalid blob hash"):
        store.get_blob("F", "abc")


@pytest.mark.parametrize("fsync", [True, False])
def test_large_blob_overlapped_hashing(tmp_path: Path, fsync: bool) -> None:
    store = LocalDatastore(tmp_path, fsync=fsync)
    payload = os.urandom(1 << 20) * (PARALLEL_MIN // (1 << 20) + 5)
    digest = store.put_blob("F", [b"head", memoryview(payload)])
    assert digest == _sha(b"head" + payload)
    assert store.get_blob("F", digest)[4:] == payload


def test_json_logs_and_listings(store: LocalDatastore, tmp_path: Path) -> None:
    store.put_json("F/runs/r1/run.json", {"b": 1, "a": "é"})
    assert (tmp_path / "F/runs/r1/run.json").read_bytes() == '{"a":"é","b":1}\n'.encode()
    assert store.get_json("F/runs/r1/run.json") == {"a": "é", "b": 1}
    store.put_log("F/runs/r1/s/t/attempt-0/stderr.log", b"oops\xff")
    assert store.get_log("F/runs/r1/s/t/attempt-0/stderr.log") == "oops\ufffd"
    (tmp_path / "F/runs/r1/.run.json.tmp-1-abcd").write_text("partial")
    assert store.list_children("F/runs/r1") == ["run.json", "s"]
    assert store.list_keys("F/runs") == ["F/runs/r1/run.json", "F/runs/r1/s/t/attempt-0/stderr.log"]
    assert store.list_children("F/none") == []
    (tmp_path / "F/bad.json").write_text("{")
    with pytest.raises(DatastoreError, match="is not valid JSON"):
        store.get_json("F/bad.json")


@pytest.mark.parametrize("key", ["", "/abs", "a/../b", "a//b", "a/./b", ".hidden", "a/b/"])
def test_invalid_keys(store: LocalDatastore, key: str) -> None:
    with pytest.raises(ValueError, match="invalid datastore key"):
        store.put_bytes(key, b"")


def test_overwrite_is_atomic_for_readers(store: LocalDatastore) -> None:
    """A reader polling a key while it is rewritten sees one whole value or the other."""
    values = [b"a" * 200_000, b"b" * 300_000]
    store.put_bytes("F/k", values[0])
    stop = threading.Event()

    def writer() -> None:
        i = 0
        while not stop.is_set():
            store.put_bytes("F/k", values[i % 2])
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for _ in range(300):
            assert store.get_bytes("F/k") in values
    finally:
        stop.set()
        thread.join()


def test_concurrent_writers_of_one_blob(store: LocalDatastore) -> None:
    payload = os.urandom(3 << 20)
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(store.put_blob("F", payload)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(results) == {_sha(payload)}
    assert bytes(store.get_blob("F", _sha(payload))) == payload


_SLOW_WRITER = textwrap.dedent(
    """
    import sys, time
    from flowc.runtime_shim.datastore import hashio, local
    write_all = hashio.write_all
    def slow(file, view):
        write_all(file, view)
        time.sleep(0.2)
    hashio.write_all = slow
    hashio.SYNC_EVERY = 8 << 20  # with fsync, written in pieces of this size
    store = local.LocalDatastore(sys.argv[1], fsync=True)
    payload = bytes(range(256)) * (4 << 20 >> 8) * 20  # 80 MiB in 10 pieces
    store.put_blob("F", payload)
    """
)


def test_writer_killed_mid_blob_leaves_no_blob(store: LocalDatastore, tmp_path: Path) -> None:
    payload = bytes(range(256)) * (4 << 20 >> 8) * 20
    digest = _sha(payload)
    child = subprocess.Popen([sys.executable, "-c", _SLOW_WRITER, str(tmp_path)])
    blobs = tmp_path / "F" / "blobs"
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            temps = list(blobs.glob(".blob.tmp-*")) if blobs.exists() else []
            if temps and temps[0].stat().st_size > 0:
                break
            time.sleep(0.005)
        else:
            pytest.fail("the child never started writing")
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL
    assert 0 < temps[0].stat().st_size < len(payload)  # killed in the middle
    assert not store.has_blob("F", digest)
    assert not (tmp_path / blob_key("F", digest)).exists()
    with pytest.raises(NotFound):
        store.get_blob("F", digest)
    assert store.list_keys("F") == []  # readers ignore the temp file
    assert store.clean_temp_files(older_than=3600) == 0  # too recent to be removed
    assert store.clean_temp_files(older_than=0) == 1
    assert store.put_blob("F", payload) == digest  # a retry writes it whole
    assert store.get_blob("F", digest) == payload


def test_import_does_not_load_boto3() -> None:
    code = (
        "import sys, flowc.runtime_shim.datastore, flowc.runtime_shim.records;"
        "flowc.runtime_shim.datastore.open_datastore('.');"
        "assert 'boto3' not in sys.modules and 'botocore' not in sys.modules, 'boto3 imported';"
        "assert 'numpy' not in sys.modules, 'numpy imported';"
        "assert 'concurrent.futures' not in sys.modules, 'thread pools imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_root_listing(store: LocalDatastore) -> None:
    store.put_json("A/runs/r/run.json", {})
    store.put_blob("B", b"x")
    assert store.list_children("") == ["A", "B"]
    assert store.list_keys("") == ["A/runs/r/run.json", blob_key("B", _sha(b"x"))]


def test_background_reraises() -> None:
    from flowc.runtime_shim.datastore.hashio import Background

    def fail() -> None:
        raise OSError("disk on fire")

    with pytest.raises(OSError, match="disk on fire"):
        Background(fail).join()


def test_fsync_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLOWC_FSYNC", raising=False)
    assert LocalDatastore(tmp_path).fsync is False
    assert open_datastore(str(tmp_path), fsync=True).fsync is True  # type: ignore[attr-defined]
    monkeypatch.setenv("FLOWC_FSYNC", "1")
    assert LocalDatastore(tmp_path).fsync is True
    assert LocalDatastore(tmp_path, fsync=False).fsync is False


def test_bad_namespace_writes_nothing(store: LocalDatastore, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="invalid datastore key"):
        store.put_blob("../escape", b"x")
    assert list(tmp_path.parent.glob("escape")) == [] and list(tmp_path.iterdir()) == []


@given(st.lists(st.binary(max_size=300), max_size=8))
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_chunking_gives_the_same_blob(tmp_path: Path, parts: list[bytes]) -> None:
    store = LocalDatastore(tmp_path, fsync=False)
    whole = b"".join(parts)
    assert store.put_blob("F", parts) == _sha(whole) == store.put_blob("F", whole)
    assert bytes(store.get_blob("F", _sha(whole))) == whole


def test_large_blob_is_mapped_copy_on_write(store: LocalDatastore, tmp_path: Path) -> None:
    from flowc.runtime_shim.datastore.local import MAP_MIN

    payload = os.urandom(MAP_MIN + 100)
    digest = store.put_blob("F", payload)
    first, second = store.get_blob("F", digest), store.get_blob("F", digest)
    assert not first.readonly and first == payload
    first[0:4] = b"\0\0\0\0"  # private to this load: neither the file nor other loads change
    assert second == payload and (tmp_path / blob_key("F", digest)).read_bytes() == payload
    path = tmp_path / blob_key("F", digest)
    corrupt = bytearray(payload)
    corrupt[-1] ^= 1
    path.write_bytes(bytes(corrupt))
    with pytest.raises(IntegrityError, match="is corrupt"):
        store.get_blob("F", digest)


def test_clean_temp_files_of_dead_writers(store: LocalDatastore, tmp_path: Path) -> None:
    """Only temp files of this machine whose writer has exited (and idle long enough) in the
    prefix's folder go; another host's writer is never judged by a pid of this machine."""
    from flowc.runtime_shim.owner import HOST as _HOST

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    old = time.time() - 60
    blobs, other = tmp_path / "F" / "blobs", tmp_path / "G" / "blobs"
    for directory in (blobs, blobs / "ab", other):
        directory.mkdir(parents=True)
    dead = blobs / f".blob.tmp-{gone.pid}@{_HOST}-abcd"
    live = blobs / f".blob.tmp-{os.getpid()}@{_HOST}-abcd"
    fresh = blobs / f".fresh.tmp-{gone.pid}@{_HOST}-abcd"
    remote = blobs / f".blob.tmp-{gone.pid}@another-host.example-abcd"
    below = blobs / "ab" / f".blob.tmp-{gone.pid}@{_HOST}-abcd"
    elsewhere = other / f".blob.tmp-{gone.pid}@{_HOST}-abcd"
    for path in (dead, live, fresh, remote, below, elsewhere):
        path.write_bytes(b"partial")
        if path is not fresh:
            os.utime(path, (old, old))
    assert store.clean_temp_files(5, under="F/blobs", dead_writers=True, recursive=False) == 1
    assert not dead.exists()
    assert all(p.exists() for p in (live, fresh, remote, below, elsewhere))
    assert store.clean_temp_files(5, under="F/blobs", dead_writers=True) == 1  # recursive
    assert not below.exists() and remote.exists()


def test_failed_large_write_stops_hashing_and_keeps_its_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that fails mid-blob reports its own error, leaves no temp file, and does not
    go on hashing the rest of the blob: only the leaves already being hashed finish."""
    import threading

    from flowc.runtime_shim.datastore import digest, hashio

    failed, hashed = threading.Event(), []
    leaf_digest = digest._leaf_digest

    def slow_leaf(leaf: list[memoryview]) -> bytes:
        failed.wait(30)  # every hasher is busy when the write fails
        hashed.append(1)
        return leaf_digest(leaf)

    def disk_full(file: object, view: memoryview) -> None:
        failed.set()
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(digest, "_leaf_digest", slow_leaf)
    monkeypatch.setattr(hashio, "write_all", disk_full)
    store = LocalDatastore(tmp_path)
    size = 2 * PARALLEL_MIN  # 8 leaves
    with pytest.raises(DatastoreError, match="No space left on device"):
        store.put_blob("F", bytes(size))
    assert len(hashed) <= digest._threads() < size // digest.LEAF
    assert not [t for t in threading.enumerate() if t.name.startswith("flowc-hash")]
    assert not list((tmp_path / "F" / "blobs").glob(".*"))


def test_an_exited_but_unreaped_writer_counts_as_gone() -> None:
    from flowc.runtime_shim.owner import HOST, owner_gone

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 30
    while not owner_gone(f"{child.pid}@{HOST}"):  # a zombie until waited for
        assert time.monotonic() < deadline, "an exited child never read as gone"
        time.sleep(0.01)
    assert child.poll() == 0
    assert not owner_gone(f"{os.getpid()}@{HOST}")
    assert not owner_gone(f"{child.pid}@another-host")
