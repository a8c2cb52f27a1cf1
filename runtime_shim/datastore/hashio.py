"""Writing and reading blob files while their content address is computed.

The address (`digest.py`) of a large blob is hashed by a pool of threads while the calling
thread writes the file, and a large write with fsync is flushed (fdatasync) in the
background as it goes, so the disk works during the hashing instead of after it. SHA-256,
page-cache copies and fdatasync all release the GIL.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO

from flowc.runtime_shim.datastore.digest import PendingDigest

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

    def wait(self) -> None:
        """Wait for the thread without re-raising its exception."""
        self._thread.join()

    def join(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error


def write_hashed(file: BinaryIO, chunks: list[memoryview], size: int, fsync: bool) -> str:
    """Write the chunks to `file` and return their content address (the caller does the
    final fsync). The source memory must not change while it is written and hashed."""
    pending = PendingDigest(chunks)
    syncer: Background | None = None
    written = synced = 0
    try:
        for piece in _pieces(chunks, SYNC_EVERY if fsync else max(size, 1)):
            write_all(file, piece)
            written += piece.nbytes
            if fsync and written - synced >= SYNC_EVERY and (syncer is None or syncer.done()):
                if syncer is not None:
                    syncer.join()
                syncer, synced = Background(os.fdatasync, file.fileno()), written
    except BaseException:
        pending.cancel()  # the leaves being hashed read `chunks`: wait for those only
        if syncer is not None:
            syncer.wait()  # its fd closes when the caller unwinds; the first error wins
        raise
    digest = pending.result()  # hashing memory does not fail
    if syncer is not None:
        syncer.join()
    return digest


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
