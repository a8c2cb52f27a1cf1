"""Hashing while writing or reading a file: sha256 and file I/O overlapped in two threads.

SHA-256 (about 1.3 GB/s with SHA-NI) and a page-cache write (2-3 GB/s) both release the GIL,
so for large blobs a helper thread hashes while the calling thread does the I/O. Few, large
hand-offs only: on a busy machine every thread wake-up can cost a scheduler time slice.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO

OVERLAP_MIN = 32 << 20  # from this size on, hash in a helper thread
READ_PIECE = 32 << 20  # read large blobs in pieces of this size, hashed behind the reader
SYNC_EVERY = 64 << 20  # with fsync, flush large blobs progressively in this step


class Background:
    """Run `target(*args)` in a daemon thread; `join()` waits and re-raises its exception."""

    def __init__(self, target: Callable[..., object], *args: Any) -> None:
        self._error: BaseException | None = None

        def run() -> None:
            try:
                target(*args)
            except BaseException as exc:  # handed to join()
                self._error = exc

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def done(self) -> bool:
        return not self._thread.is_alive()

    def join(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error


def _hash_all(digest: Any, chunks: Iterable[memoryview]) -> None:
    for chunk in chunks:
        digest.update(chunk)


def write_hashed(file: BinaryIO, chunks: list[memoryview], size: int, fsync: bool) -> str:
    """Write the chunks to `file` and return their sha256 (the caller does the final fsync).

    The source memory does not change while it is written, so for a large blob one thread
    hashes all of it while this one writes all of it (no per-piece hand-off). With `fsync`,
    the data written so far is flushed (fdatasync) in the background every SYNC_EVERY bytes,
    so the disk works during the hashing instead of after it.
    """
    digest = hashlib.sha256()
    if size < OVERLAP_MIN:
        for chunk in chunks:
            digest.update(chunk)
            write_all(file, chunk)
    else:
        hasher = Background(_hash_all, digest, chunks)
        syncer: Background | None = None
        written = synced = 0
        try:
            for piece in _pieces(chunks, SYNC_EVERY if fsync else size):
                write_all(file, piece)
                written += piece.nbytes
                if fsync and written - synced >= SYNC_EVERY and (syncer is None or syncer.done()):
                    if syncer is not None:
                        syncer.join()
                    syncer, synced = Background(os.fdatasync, file.fileno()), written
        finally:
            hasher.join()
            if syncer is not None:
                syncer.join()
    return digest.hexdigest()


def read_hashed(file: Any, view: memoryview) -> str:
    """Fill `view` from `file` and return the sha256 of what was read.

    For a large blob a helper thread hashes piece i while this thread reads piece i+1; the
    reader never waits for the hasher (only at the end)."""
    digest = hashlib.sha256()
    if view.nbytes < OVERLAP_MIN:
        read_exactly(file, view)
        digest.update(view)
    else:
        ready = threading.Semaphore(0)
        parts = list(_pieces([view], READ_PIECE))

        def hash_behind() -> None:
            for part in parts:
                ready.acquire()
                digest.update(part)

        hasher = Background(hash_behind)
        try:
            for part in parts:
                read_exactly(file, part)
                ready.release()
        except BaseException:
            for _ in parts:  # let the hasher finish (on zeros) so that it can be joined
                ready.release()
            hasher.join()
            raise
        hasher.join()
    if file.read(1):
        raise OSError("the file grew while it was being read")
    return digest.hexdigest()


def read_exactly(file: Any, view: memoryview) -> None:
    done = 0
    while done < view.nbytes:
        count = file.readinto(view[done:])
        if not count:
            raise OSError(f"unexpected end of file after {done} of {view.nbytes} bytes")
        done += count


def write_all(file: BinaryIO, view: memoryview) -> None:
    done = 0
    while done < view.nbytes:
        done += file.write(view[done:]) or 0


def _pieces(chunks: Iterable[memoryview], size: int) -> Iterable[memoryview]:
    for chunk in chunks:
        for start in range(0, chunk.nbytes, max(size, 1)):
            yield chunk[start : start + size]
