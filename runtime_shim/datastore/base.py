"""The datastore interface: content-addressed blobs, JSON records and logs at keys.

A key is a `/`-separated relative path (`TrainFlow/runs/r1/start/t/record.json`); a backend
maps it to a file or an object. Blobs live at `<namespace>/blobs/<hh>/<digest>` (the
namespace is the flow name) and are written whole or not at all, deduplicated and verified
on read. Errors are mapped to DatastoreError (the datastore cannot be used), its kinds
Unreachable (it does not answer: exit 3), IntegrityError (a blob whose bytes do not match its
hash) and NotFound.
"""

from __future__ import annotations

import json
import mmap
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import Any

_DIGEST_RE = re.compile(r"[0-9a-f]{64}")
_SEGMENT_RE = re.compile(r"[A-Za-z0-9_@=+,:-][A-Za-z0-9_.@=+,:-]*")

ALLOCATE_MMAP_MIN = 1 << 20

# A blob is any bytes-like object, or a sequence of them written in order.
Chunks = Sequence[Any]


class DatastoreError(Exception):
    """The datastore cannot be used: missing directory or bucket, permissions, network."""


class NotFound(DatastoreError):
    """A key or blob that does not exist."""


class IntegrityError(DatastoreError):
    """A stored blob whose content does not hash to its name."""


class Unreachable(DatastoreError):
    """The datastore did not answer (connection refused or reset, timeout, deadline passed):
    an infrastructure failure (exit 3), not a usage error."""


def check_key(key: str) -> str:
    """Return `key` when it is a safe relative key (no `..`, no empty segment), else raise."""
    if not key or not all(_SEGMENT_RE.fullmatch(part) for part in key.split("/")):
        raise ValueError(f"invalid datastore key {key!r}")
    return key


def check_digest(digest: str) -> str:
    """Return `digest` when it is 64 lowercase hex digits (a blob digest), else ValueError."""
    if not isinstance(digest, str) or not _DIGEST_RE.fullmatch(digest):
        raise ValueError(f"invalid blob hash {digest!r} (expected 64 lowercase hex digits)")
    return digest


def blob_key(namespace: str, digest: str) -> str:
    """`<namespace>/blobs/<hh>/<digest>`: where a blob lives."""
    check_digest(digest)
    return check_key(f"{namespace}/blobs/{digest[:2]}/{digest}")


def as_chunks(data: Any) -> list[memoryview]:
    """A bytes-like object or a sequence of them, as a list of flat byte views."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        data = [data]
    return [memoryview(chunk).cast("B") for chunk in data]


def allocate(size: int) -> memoryview:
    """A writable, zero-filled buffer for a blob being read.

    From 1 MiB on this is an anonymous memory map: the kernel hands out zeroed pages, which
    saves the memset that `bytearray(size)` does (0.1-0.5 s for 512 MiB)."""
    if size < ALLOCATE_MMAP_MIN or not hasattr(mmap, "MAP_ANONYMOUS"):
        return memoryview(bytearray(size))
    flags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | getattr(mmap, "MAP_POPULATE", 0)
    return memoryview(mmap.mmap(-1, size, flags=flags))


def encode_json(obj: Any) -> bytes:
    """Stable JSON bytes (sorted keys, compact, UTF-8, trailing newline) for a record."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return (text + "\n").encode()


class Datastore(ABC):
    """A place for blobs, records and logs. Implementations: LocalDatastore, S3Datastore."""

    url: str

    # -- blobs ------------------------------------------------------------------------------

    @abstractmethod
    def put_blob(self, namespace: str, data: Chunks, *, digest: str | None = None) -> str:
        """Store the bytes (one buffer or a sequence of chunks) as a blob; return its digest.

        Idempotent and deduplicated: when the blob is already there, nothing is rewritten.
        `digest`, when given, must be the digest of the bytes (`digest.py`), from a caller
        that hashed already; it is trusted to skip a write, and the blob is verified on read.
        """

    @abstractmethod
    def get_blob(self, namespace: str, digest: str) -> memoryview:
        """The blob's bytes, verified against `digest`, as a writable memoryview.

        Raises NotFound when absent, IntegrityError when the stored bytes do not match.
        """

    @abstractmethod
    def has_blob(self, namespace: str, digest: str) -> bool:
        """Whether the blob is stored (no verification)."""

    # -- keys: records, logs, run metadata ---------------------------------------------------

    @abstractmethod
    def put_bytes(self, key: str, data: Chunks) -> None:
        """Write `data` at `key`, atomically: readers see the old value, or all of the new."""

    @abstractmethod
    def put_if_absent(self, key: str, data: Chunks) -> bool:
        """Write `data` at `key` only if nothing is there, atomically: of two writers racing
        for the same key exactly one gets True; a reader never sees a partial value."""

    @abstractmethod
    def get_bytes(self, key: str) -> bytes:
        """The bytes at `key`; raises NotFound."""

    @abstractmethod
    def exists(self, key: str) -> bool:
        """Whether something is stored at `key`."""

    @abstractmethod
    def list_keys(self, prefix: str) -> list[str]:
        """All keys under `prefix` (a key prefix ending at a `/` boundary; "" for all), sorted."""

    @abstractmethod
    def list_children(self, prefix: str) -> list[str]:
        """The names directly under `prefix/` (like `ls`; "" for the root), sorted."""

    def put_json(self, key: str, obj: Any) -> None:
        """Write `obj` as stable JSON at `key`, atomically."""
        self.put_bytes(key, encode_json(obj))

    def get_json(self, key: str) -> Any:
        """The JSON value at `key`; raises NotFound, or DatastoreError when not JSON."""
        data = self.get_bytes(key)
        try:
            return json.loads(data)
        except ValueError as exc:
            raise DatastoreError(f"{self.describe(key)} is not valid JSON: {exc}") from exc

    def put_log(self, key: str, data: bytes | str) -> None:
        """Store a log file (text is UTF-8 encoded)."""
        self.put_bytes(key, data.encode() if isinstance(data, str) else data)

    def get_log(self, key: str) -> str:
        """A log file's text (undecodable bytes replaced)."""
        return self.get_bytes(key).decode(errors="replace")

    def describe(self, key: str) -> str:
        """Where `key` is, for error messages: a path or an s3:// URL."""
        return f"{self.url.rstrip('/')}/{key}"

    def close(self) -> None:  # noqa: B027  (optional hook)
        """Release resources (connections); the default does nothing."""

    def __enter__(self) -> Datastore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def total_size(chunks: Iterable[memoryview]) -> int:
    """The number of bytes in `chunks`."""
    return sum(chunk.nbytes for chunk in chunks)
