"""A datastore in an S3 bucket (`s3://bucket[/prefix]`); boto3 is imported on first use.

A PUT (and a completed multipart upload) makes an object appear whole or not at all, which
gives blobs and records the same atomicity as the local backend's rename. Blobs are hashed
before upload (their key is their hash), skipped when already present, uploaded in parallel
parts above MULTIPART_THRESHOLD, downloaded with parallel ranged GETs and verified on read.
The endpoint comes from FLOWC_S3_ENDPOINT_URL, else AWS_ENDPOINT_URL, else AWS's default.
Every request is bounded in time (`s3_limits.py`: timeouts, retry budget, deadline).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from collections.abc import Callable
from typing import Any

from flowc.runtime_shim.datastore.base import (
    Chunks,
    Datastore,
    DatastoreError,
    IntegrityError,
    NotFound,
    allocate,
    as_chunks,
    blob_key,
    check_key,
    total_size,
)
from flowc.runtime_shim.datastore.digest import blob_digest
from flowc.runtime_shim.datastore.s3_errors import (
    error_code,
    is_precondition_failed,
    no_answer,
    translate,
)
from flowc.runtime_shim.datastore.s3_limits import S3Limits, within_deadline

MULTIPART_THRESHOLD = 64 << 20
PART_SIZE = 16 << 20  # S3 needs >= 5 MiB for every part but the last
CONCURRENCY = 8


# S3's bucket naming rules (general purpose buckets): 3-63 of a-z 0-9 . -, alphanumeric ends
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def parse_s3_url(url: str) -> tuple[str, str]:
    """`s3://bucket[/prefix]` -> (bucket, prefix without outer slashes); DatastoreError for
    anything S3 would refuse or store somewhere surprising (a prefix with empty segments)."""
    expected = "expected s3://bucket[/prefix]"
    if not url.startswith("s3://"):
        raise DatastoreError(f"not an S3 URL: {url!r} ({expected})")
    bucket, _, prefix = url[5:].partition("/")
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise DatastoreError(f"invalid S3 bucket name {bucket!r} in {url!r}: a bucket name is 3 "
                             "to 63 lowercase letters, digits, dots and hyphens")
    prefix = prefix.strip("/")
    if any(part in ("", ".", "..") for part in prefix.split("/")) and prefix:
        raise DatastoreError(f"invalid S3 prefix {prefix!r} in {url!r}: empty, '.' and '..' "
                             f"segments are not allowed ({expected})")
    return bucket, prefix


class S3Datastore(Datastore):
    """Blobs, records and logs as objects under `s3://bucket/prefix/`."""

    def __init__(
        self,
        url: str,
        *,
        multipart_threshold: int = MULTIPART_THRESHOLD,
        part_size: int = PART_SIZE,
        concurrency: int = CONCURRENCY,
        client: Any = None,
        limits: S3Limits | None = None,
    ):
        bucket, prefix = parse_s3_url(url)
        self.bucket = bucket
        self.prefix = prefix
        self.url = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"
        self.multipart_threshold = multipart_threshold
        self.part_size = max(part_size, 5 << 20)
        self.concurrency = concurrency
        self.endpoint_url = os.environ.get("FLOWC_S3_ENDPOINT_URL") or os.environ.get(
            "AWS_ENDPOINT_URL"
        )
        self.limits = S3Limits.from_env() if limits is None else limits
        self._client = client
        self._bucket_exists: bool | None = None

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3  # type: ignore[import-untyped]

            config = self.limits.botocore_config(max(10, self.concurrency * 2))
            try:
                self._client = boto3.session.Session().client(
                    "s3", endpoint_url=self.endpoint_url, config=config
                )
            except Exception as exc:
                raise translate(exc, self, self.url) from exc
        return self._client

    def endpoint(self) -> str:
        """The endpoint requests go to, for messages."""
        if self.endpoint_url:
            return self.endpoint_url
        meta = getattr(self._client, "meta", None)
        return str(getattr(meta, "endpoint_url", None) or "AWS S3")

    def _request(self, what: str, work: Callable[[], Any]) -> Any:
        """`work()` (one request, its retries and its body read) within the deadline; any
        failure as a one-line DatastoreError about `what`."""

        def guarded() -> Any:
            try:
                return work()
            except DatastoreError:
                raise
            except Exception as exc:
                raise translate(exc, self, what) from exc

        deadline = self.limits.deadline
        return within_deadline(guarded, deadline, lambda: no_answer(self, what, deadline))

    def bucket_exists(self) -> bool:
        """Whether the bucket exists (asked once, to tell a missing bucket from a missing key)."""
        if self._bucket_exists is None:
            client = self.client
            try:
                within_deadline(lambda: client.head_bucket(Bucket=self.bucket),
                                self.limits.deadline,
                                lambda: no_answer(self, self.url, self.limits.deadline))
                self._bucket_exists = True
            except Exception as exc:
                if error_code(exc) not in {"404", "NoSuchBucket", "NotFound"}:
                    return True  # cannot tell (e.g. no ListBucket permission): assume it does
                self._bucket_exists = False
        return self._bucket_exists

    def check(self) -> None:
        """Raise DatastoreError now if the bucket is missing or unreachable (one request)."""
        self._call(self.url, "head_bucket")

    def object_key(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _call(self, what: str, method: str, **kwargs: Any) -> Any:
        call = getattr(self.client, method)
        return self._request(what, lambda: call(Bucket=self.bucket, **kwargs))

    # -- blobs ------------------------------------------------------------------------------

    def put_blob(self, namespace: str, data: Chunks, *, digest: str | None = None) -> str:
        chunks = as_chunks(data)
        digest = digest or blob_digest(chunks)
        key = blob_key(namespace, digest)
        if not self.exists(key):
            self._put(key, chunks)
        return digest

    def get_blob(self, namespace: str, digest: str) -> memoryview:
        """One ranged GET for the first part tells the size; further parts come in parallel."""
        key = blob_key(namespace, digest)
        where, client = self.describe(key), self.client

        def first_part() -> tuple[memoryview, int, int]:
            try:
                reply = client.get_object(Bucket=self.bucket, Key=self.object_key(key),
                                          Range=f"bytes=0-{self.part_size - 1}")
            except Exception as exc:
                if error_code(exc) != "InvalidRange":  # InvalidRange: an empty object
                    raise
                reply = {"ContentLength": 0, "Body": io.BytesIO()}
            first = int(reply["ContentLength"])
            content_range = reply.get("ContentRange")
            size = int(content_range.rsplit("/", 1)[1]) if content_range else first
            view = allocate(size)
            self._read_body(reply["Body"], view[:first], where)
            return view, first, size

        view, first, size = self._request(where, first_part)
        if first < size:
            self._parallel(
                lambda start: self._get_range(key, view[start : start + self.part_size], start),
                range(first, size, self.part_size),
            )
        actual = blob_digest([view])
        if actual != digest:
            raise IntegrityError(
                f"blob {digest} at {where} is corrupt: its {size} bytes hash to {actual}"
            )
        return view

    def has_blob(self, namespace: str, digest: str) -> bool:
        return self.exists(blob_key(namespace, digest))

    def _get_range(self, key: str, into: memoryview, start: int) -> None:
        where, client = self.describe(key), self.client

        def read() -> None:
            reply = client.get_object(Bucket=self.bucket, Key=self.object_key(key),
                                      Range=f"bytes={start}-{start + into.nbytes - 1}")
            self._read_body(reply["Body"], into, where)

        self._request(where, read)

    def _read_body(self, body: Any, into: memoryview, where: str) -> None:
        """Read exactly `into.nbytes` bytes of a streaming body into `into`, then close it."""
        done = 0
        try:
            while done < into.nbytes:
                data = body.read(min(into.nbytes - done, 1 << 20))
                if not data:
                    raise DatastoreError(f"{where}: short read ({done} of {into.nbytes} bytes)")
                into[done : done + len(data)] = data
                done += len(data)
        except DatastoreError:
            raise
        except Exception as exc:
            raise translate(exc, self, where) from exc
        finally:
            body.close()

    # -- uploads ----------------------------------------------------------------------------

    def _put(self, key: str, chunks: list[memoryview]) -> None:
        size = total_size(chunks)
        if size <= self.multipart_threshold:
            body = b"".join(chunks)
            self._call(self.describe(key), "put_object", Key=self.object_key(key), Body=body)
            return
        where, object_key = self.describe(key), self.object_key(key)
        upload = self._call(where, "create_multipart_upload", Key=object_key)["UploadId"]

        def send(number: int) -> dict[str, Any]:
            start = (number - 1) * self.part_size
            body = _gather(chunks, start, min(start + self.part_size, size))
            reply = self._call(
                where,
                "upload_part",
                Key=object_key,
                UploadId=upload,
                PartNumber=number,
                Body=body,
            )
            return {"PartNumber": number, "ETag": reply["ETag"]}

        try:
            numbers = range(1, (size + self.part_size - 1) // self.part_size + 1)
            parts = self._parallel(send, numbers)
            self._call(
                where,
                "complete_multipart_upload",
                Key=object_key,
                UploadId=upload,
                MultipartUpload={"Parts": parts},
            )
        except BaseException:
            with contextlib.suppress(Exception):  # best effort; the original error matters
                self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=object_key, UploadId=upload
                )
            raise

    def _parallel(self, work: Any, items: range) -> list[Any]:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(work, items))

    # -- keys -------------------------------------------------------------------------------

    def put_bytes(self, key: str, data: Chunks) -> None:
        self._put(key, as_chunks(data))

    def put_if_absent(self, key: str, data: Chunks) -> bool:
        """A conditional PUT (`If-None-Match: *`): S3 refuses it with 412 when the key exists.
        (409 ConditionalRequestConflict, a racing conditional write, counts as a loss too.)"""
        body = b"".join(as_chunks(data))
        try:
            self._call(self.describe(key), "put_object", Key=self.object_key(key), Body=body,
                       IfNoneMatch="*")
        except DatastoreError as exc:
            if is_precondition_failed(exc.__cause__):
                return False
            raise
        return True

    def get_bytes(self, key: str) -> bytes:
        where, client = self.describe(key), self.client

        def read() -> bytes:
            body = client.get_object(Bucket=self.bucket, Key=self.object_key(key))["Body"]
            try:
                return bytes(body.read())
            finally:
                body.close()

        return self._request(where, read)  # type: ignore[no-any-return]

    def exists(self, key: str) -> bool:
        try:
            self._call(self.describe(key), "head_object", Key=self.object_key(key))
        except NotFound:
            return False
        return True

    def list_keys(self, prefix: str) -> list[str]:
        return sorted(key for key, _ in self._list(prefix, delimiter=False))

    def list_children(self, prefix: str) -> list[str]:
        return sorted({name for _, name in self._list(prefix, delimiter=True)})

    def _list(self, prefix: str, *, delimiter: bool) -> list[tuple[str, str]]:
        """(key, name directly under prefix) pairs of objects (and sub-prefixes) below prefix."""
        prefix = prefix.strip("/")
        base = (
            self.object_key(prefix) + "/" if prefix else (f"{self.prefix}/" if self.prefix else "")
        )
        strip = len(self.prefix) + 1 if self.prefix else 0
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Prefix": base}
        if delimiter:
            kwargs["Delimiter"] = "/"
        client = self.client

        def pages() -> list[tuple[str, str]]:
            found: list[tuple[str, str]] = []
            for page in client.get_paginator("list_objects_v2").paginate(**kwargs):
                for item in page.get("CommonPrefixes", ()):
                    name = item["Prefix"][len(base) :].rstrip("/")
                    found.append((item["Prefix"][strip:], name))
                for item in page.get("Contents", ()):
                    found.append((item["Key"][strip:], item["Key"][len(base) :]))
            return found

        return self._request(f"s3://{self.bucket}/{base}", pages)  # type: ignore[no-any-return]

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def _gather(chunks: list[memoryview], start: int, end: int) -> bytes:
    """The bytes in [start, end) of the concatenation of `chunks` (one copy)."""
    out, offset = [], 0
    for chunk in chunks:
        low, high = max(start - offset, 0), min(end - offset, chunk.nbytes)
        if low < high:
            out.append(chunk[low:high])
        offset += chunk.nbytes
        if offset >= end:
            break
    return b"".join(out)
