"""The content address of a blob: a SHA-256 tree over 8 MiB leaves, so that every core can
hash a piece of one large blob at the same time.

    digest(blob) = sha256(TREE_TAG + sha256(leaf 0) + sha256(leaf 1) + ...)

The leaves are the blob's consecutive `LEAF`-byte pieces (the last one shorter; an empty blob
has none) and each leaf digest is the raw 32 bytes. Every blob, small or large, is addressed
this way: a plain `sha256(bytes)` for small blobs would let a small blob whose bytes are
`TREE_TAG + leaf digests` take the address of a large one. The result is 64 lowercase hex
digits; `python -m flowc.runtime_shim.datastore.digest FILE` prints it for a file.

One SHA-256 stream runs on one core (1.1-1.6 GB/s with SHA-NI), slower than a page-cache
write; from `PARALLEL_MIN` bytes on, the leaves are hashed by a thread per core (hashlib
releases the GIL) while the caller writes the file.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # concurrent.futures costs ~6 ms to import (logging): only for large blobs
    from concurrent.futures import Future, ThreadPoolExecutor

LEAF = 8 << 20
TREE_TAG = b"flowc-sha256-tree/8MiB\n"
PARALLEL_MIN = 32 << 20  # from this size on, leaves are hashed by a pool of threads
MAX_THREADS = 8

Leaf = list[memoryview]


def leaves(chunks: Sequence[memoryview]) -> Iterator[Leaf]:
    """The blob's bytes cut into consecutive LEAF-byte pieces (each a list of chunk slices)."""
    leaf: Leaf = []
    room = LEAF
    for chunk in chunks:
        start = 0
        while start < chunk.nbytes:
            piece = chunk[start : start + room]
            leaf.append(piece)
            start += piece.nbytes
            room -= piece.nbytes
            if room == 0:
                yield leaf
                leaf, room = [], LEAF
    if leaf:
        yield leaf


def _leaf_digest(leaf: Leaf) -> bytes:
    digest = hashlib.sha256()
    for piece in leaf:
        digest.update(piece)
    return digest.digest()


def _root(leaf_digests: Iterable[bytes]) -> str:
    return hashlib.sha256(TREE_TAG + b"".join(leaf_digests)).hexdigest()


def _threads() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_THREADS))


class PendingDigest:
    """A blob's digest, computed in the background by a pool of threads for blobs of
    PARALLEL_MIN bytes and more (at once, in the calling thread, for smaller ones).

    The chunks must not change until `result()` or `cancel()` returns."""

    def __init__(self, chunks: Iterable[Any]) -> None:
        views = [memoryview(chunk).cast("B") for chunk in chunks]
        self._value: str | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._futures: list[Future[bytes]] = []
        if sum(view.nbytes for view in views) < PARALLEL_MIN:
            self._value = _root(_leaf_digest(leaf) for leaf in leaves(views))
        else:  # a pool per blob: cheap at this size, and safe across the fork server's fork
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(_threads(), thread_name_prefix="flowc-hash")
            self._futures = [self._pool.submit(_leaf_digest, leaf) for leaf in leaves(views)]

    def result(self) -> str:
        """The digest (waits for the hashers)."""
        if self._value is None:
            try:
                self._value = _root(future.result() for future in self._futures)
            finally:
                self.cancel()
        return self._value

    def cancel(self) -> None:
        """Drop the leaves not started yet and wait for the running ones (which read the
        chunks): for a write that failed, without hashing the rest of the blob."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def blob_digest(chunks: Iterable[Any]) -> str:
    """The content address of the concatenation of `chunks` (no copy)."""
    return PendingDigest(chunks).result()


def file_digest(path: str) -> str:
    """The content address of the file at `path` (mapped, not read into memory)."""
    with open(path, "rb") as file:
        if os.fstat(file.fileno()).st_size == 0:  # an empty file cannot be mapped
            return blob_digest([])
        with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return blob_digest([mapped])


if __name__ == "__main__":  # python -m flowc.runtime_shim.datastore.digest FILE...
    for name in sys.argv[1:]:
        print(f"{file_digest(name)}  {name}")
