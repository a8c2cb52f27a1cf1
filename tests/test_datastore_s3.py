"""The S3 datastore against a real HTTP server (moto on 127.0.0.1): round trips, dedup,
multipart blobs, listings, and the one-line errors for missing buckets and corrupt blobs."""

from __future__ import annotations

import os

import pytest
from flowc.runtime_shim.datastore import (
    DatastoreError,
    IntegrityError,
    NotFound,
    S3Datastore,
    open_datastore,
)
from flowc.runtime_shim.datastore.base import blob_key
from flowc.runtime_shim.datastore.digest import blob_digest
from flowc.runtime_shim.records import TaskRecord, TaskStore

pytestmark = pytest.mark.slow


def _sha(data: bytes) -> str:
    return blob_digest([data])


def test_open_datastore_gives_s3(s3_url: str) -> None:
    store = open_datastore(s3_url)
    assert isinstance(store, S3Datastore)
    assert store.url == s3_url
    store.check()


def test_blob_round_trip_and_dedup(s3_url: str, s3_client, s3_bucket: str) -> None:
    store = open_datastore(s3_url)
    data = [b"header", memoryview(b"x" * 1000), bytearray(b"tail")]
    digest = store.put_blob("F", data)
    assert digest == _sha(b"header" + b"x" * 1000 + b"tail")
    assert store.has_blob("F", digest)
    assert bytes(store.get_blob("F", digest)) == b"header" + b"x" * 1000 + b"tail"
    key = "datastore/" + blob_key("F", digest)
    first = s3_client.head_object(Bucket=s3_bucket, Key=key)["LastModified"]
    assert store.put_blob("F", data) == digest  # dedup: not rewritten
    assert s3_client.head_object(Bucket=s3_bucket, Key=key)["LastModified"] == first
    assert not store.has_blob("F", _sha(b"other"))
    with pytest.raises(NotFound, match="does not exist"):
        store.get_blob("F", _sha(b"other"))


def test_large_blob_goes_multipart(s3_url: str, s3_client, s3_bucket: str) -> None:
    store = S3Datastore(s3_url, multipart_threshold=6 << 20, part_size=5 << 20, concurrency=4)
    payload = os.urandom(1 << 20) * 24  # 24 MiB, 5 parts
    digest = store.put_blob("F", [b"h" * 100, memoryview(payload)])
    head = s3_client.head_object(Bucket=s3_bucket, Key="datastore/" + blob_key("F", digest))
    assert "-" in head["ETag"]  # a multipart ETag
    assert head["ContentLength"] == len(payload) + 100
    view = store.get_blob("F", digest)
    assert view.nbytes == len(payload) + 100
    assert view[100:] == payload
    assert not s3_client.list_multipart_uploads(Bucket=s3_bucket).get("Uploads")


def test_corrupt_blob_is_integrity_error(s3_url: str, s3_client, s3_bucket: str) -> None:
    store = open_datastore(s3_url)
    digest = store.put_blob("F", b"good bytes")
    key = "datastore/" + blob_key("F", digest)
    s3_client.put_object(Bucket=s3_bucket, Key=key, Body=b"evil bytes")
    with pytest.raises(IntegrityError) as info:
        store.get_blob("F", digest)
    message = str(info.value)
    assert digest in message and f"s3://{s3_bucket}/{key}" in message and "\n" not in message


def test_missing_bucket_is_one_line_error(aws_env: str) -> None:
    store = open_datastore("s3://no-such-bucket-flowc/x")
    for action in (
        lambda: store.put_blob("F", b"data"),
        lambda: store.get_blob("F", _sha(b"data")),
        lambda: store.get_json("F/runs/r/run.json"),
        lambda: store.list_children("F/runs"),
        store.check,
    ):
        with pytest.raises(DatastoreError) as info:
            action()
        assert not isinstance(info.value, NotFound)
        assert str(info.value).startswith("bucket 'no-such-bucket-flowc' does not exist (")
        assert "\n" not in str(info.value)


def test_bad_credentials_are_one_line_error(s3_url: str, monkeypatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(DatastoreError, match="no AWS credentials found"):
        open_datastore(s3_url).put_json("F/x.json", {})


def test_unreachable_endpoint(aws_env: str, monkeypatch) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("FLOWC_S3_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    store = S3Datastore("s3://bucket")
    store.client.meta.config.retries["total_max_attempts"] = 1
    with pytest.raises(DatastoreError, match="cannot reach S3"):
        store.get_bytes("F/x.json")


def test_keys_json_logs_and_listing(s3_url: str) -> None:
    store = open_datastore(s3_url)
    store.put_json("F/runs/r1/run.json", {"b": 1, "a": [1, 2]})
    assert store.get_json("F/runs/r1/run.json") == {"a": [1, 2], "b": 1}
    assert store.get_bytes("F/runs/r1/run.json") == b'{"a":[1,2],"b":1}\n'
    store.put_log("F/runs/r1/s/t/attempt-0/stdout.log", "hello\n")
    assert store.get_log("F/runs/r1/s/t/attempt-0/stdout.log") == "hello\n"
    assert store.exists("F/runs/r1/run.json") and not store.exists("F/runs/r2/run.json")
    assert store.list_children("F/runs") == ["r1"]
    assert store.list_children("F/runs/r1") == ["run.json", "s"]
    assert store.list_keys("F/runs/r1") == [
        "F/runs/r1/run.json",
        "F/runs/r1/s/t/attempt-0/stdout.log",
    ]
    assert store.list_children("F/nothing") == []
    with pytest.raises(NotFound):
        store.get_bytes("F/runs/r2/run.json")


def test_task_store_on_s3(s3_url: str) -> None:
    tasks = TaskStore(open_datastore(s3_url), "F")
    refs = tasks.save_artifacts({"x": [1, 2, 3], "blob": b"\0" * 100_000})
    record = TaskRecord(
        flow="F", run_id="r1", step="a", task_id="t.1", index_path=(1,), artifacts=refs
    )
    tasks.write_record(record)
    assert tasks.read_record("r1", "a", "t.1") == record
    assert tasks.read_record("r1", "a", "t.2") is None
    assert tasks.list_tasks("r1", "a") == ["t.1"]
    assert tasks.list_runs() == ["r1"]
    assert tasks.load_artifact(refs["x"]) == [1, 2, 3]


@pytest.mark.parametrize("size", [0, 1, (5 << 20) - 1, 5 << 20, (5 << 20) + 1, (11 << 20) + 3])
def test_blob_sizes_around_part_boundaries(s3_url: str, size: int) -> None:
    store = S3Datastore(s3_url, multipart_threshold=8 << 20, part_size=5 << 20)
    payload = os.urandom(size)
    digest = store.put_blob("F", payload)
    assert digest == _sha(payload)
    view = store.get_blob("F", digest)
    assert view.nbytes == size and view == payload


def test_root_listing(s3_url: str, s3_client, s3_bucket: str) -> None:
    s3_client.put_object(Bucket=s3_bucket, Key="outside/x", Body=b"")  # not under the prefix
    store = open_datastore(s3_url)
    store.put_json("A/runs/r/run.json", {})
    store.put_blob("B", b"x")
    assert store.list_children("") == ["A", "B"]
    assert store.list_keys("") == ["A/runs/r/run.json", blob_key("B", _sha(b"x"))]
    bare = open_datastore(f"s3://{s3_bucket}")
    assert bare.list_children("") == ["datastore", "outside"]
