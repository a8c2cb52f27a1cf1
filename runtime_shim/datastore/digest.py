"""The content address of a blob: SHA-256, over 8 MiB leaves for large blobs so that every
core can hash a piece of one blob at the same time.

- A blob of at most `LEAF` bytes: `sha256(blob)`, what `sha256sum` prints for its file.
- A larger blob: `sha256(TREE_TAG + sha256(leaf 0) + sha256(leaf 1) + ...)`, the leaves
  being consecutive `LEAF`-byte pieces of the blob (the last one shorter), each digest the
  raw 32 bytes.

One flat SHA-256 runs on one core (1.1-1.6 GB/s with SHA-NI), which made saving a large
array slower than writing it; leaves let `PARALLEL_MIN`-and-larger blobs be hashed by a
thread per core while the caller writes or reads (hashlib releases the GIL). Both forms are
64 lowercase hex digits; the size decides which applies, so an address is still a pure
function of the bytes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # concurrent.futures costs ~6 ms to import (logging): only for large blobs
    from concurrent.futures import Future, ThreadPoolExecutor

LEAF = 8 << 20
TREE_TAG = b"flowc-sha256-tree/8MiB\n"
PARALLEL_MIN = 32 << 20  # from this size on, leaves are hashed by a pool of threads
MAX_THREADS = 8

Leaf = list[memoryview]


def _views(chunks: Iterable[Any]) -> list[memoryview]:
    return [memoryview(chunk).cast("B") for chunk in chunks]


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
    """A blob's digest being computed in the background (for blobs of PARALLEL_MIN bytes
    and more) while the caller does its I/O; `result()` waits for it.

    The chunks must not change until `result()` returns."""

    def __init__(self, chunks: Iterable[Any]) -> None:
        views = _views(chunks)
        size = sum(view.nbytes for view in views)
        self._value: str | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._futures: list[Future[bytes]] = []
        if size <= LEAF:
            self._value = _flat(views)
        elif size < PARALLEL_MIN:
            self._value = _root(_leaf_digest(leaf) for leaf in leaves(views))
        else:  # a pool per blob: cheap at this size, and safe across the fork server's fork
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(_threads(), thread_name_prefix="flowc-hash")
            self._futures = [self._pool.submit(_leaf_digest, leaf) for leaf in leaves(views)]

    def result(self) -> str:
        if self._value is None:
            assert self._pool is not None
            try:
                self._value = _root(future.result() for future in self._futures)
            finally:
                self._pool.shutdown(cancel_futures=True)
        return self._value


def _flat(views: Sequence[memoryview]) -> str:
    digest = hashlib.sha256()
    for view in views:
        digest.update(view)
    return digest.hexdigest()


def blob_digest(chunks: Iterable[Any]) -> str:
    """The content address of the concatenation of `chunks` (no copy)."""
    return PendingDigest(chunks).result()
