"""A datastore in a local directory (the local runner's `.flowc/`, or a shared filesystem).

Every write goes to a temporary file in the destination directory
(`.<name>.tmp-<pid>@<host>-<rand>`), is flushed (and fsync'ed when asked), then renamed over
the final name with os.replace: a reader sees the old file or the whole new one, never a
partial one, even if the writer is killed. Listings ignore temporary files;
`clean_temp_files` removes those left by killed writers (the local runner calls it for a
flow's blobs at the start and at the failed end of each run).
"""

from __future__ import annotations

import mmap
import os
import secrets
import time
from pathlib import Path
from typing import BinaryIO

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
from flowc.runtime_shim.datastore.hashio import read_exactly, write_hashed
from flowc.runtime_shim.owner import current_owner, owner_gone

_TEMP_MARK = ".tmp-"


def _temp_name(stem: str) -> str:
    """`.<stem>.tmp-<pid>@<host>-<random>`: hidden, and saying which process writes it."""
    return f".{stem}{_TEMP_MARK}{current_owner()}-{secrets.token_hex(4)}"


def _writer_gone(temp_name: str) -> bool:
    """Whether the process that wrote temp file `temp_name` was on this machine and has
    exited (False for another host's writer, or a name that does not tell)."""
    return owner_gone(temp_name.rsplit(_TEMP_MARK, 1)[-1].rpartition("-")[0])


# From this size on a blob is read by mapping its file copy-on-write (mmap ACCESS_COPY):
# no read copy, arrays stay writable and the file never changes. Blob files are only ever
# replaced whole (os.replace), never truncated in place, so the mapping stays valid.
MAP_MIN = 32 << 20


class LocalDatastore(Datastore):
    """Blobs, records and logs as files under `root`."""

    def __init__(
        self, root: str | os.PathLike[str], *, create: bool = False, fsync: bool | None = None
    ):
        """`fsync` None means: off, unless the environment sets FLOWC_FSYNC=1. A killed process
        never leaves a partial file either way (temp file + rename); fsync adds durability
        against an OS crash or power loss, at the disk's speed rather than the page cache's."""
        self.root = Path(root).absolute()
        self.url = str(self.root)
        self.fsync = os.environ.get("FLOWC_FSYNC", "0") == "1" if fsync is None else fsync
        if create:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatastoreError(
                    f"cannot create datastore directory '{self.root}': {exc}"
                ) from exc
        if not self.root.is_dir():
            what = "is not a directory" if self.root.exists() else "does not exist"
            raise DatastoreError(f"datastore directory '{self.root}' {what}")

    def path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    # -- blobs ------------------------------------------------------------------------------

    def put_blob(self, namespace: str, data: Chunks, *, digest: str | None = None) -> str:
        chunks = as_chunks(data)
        size = total_size(chunks)
        if digest is not None and self._blob_present(self.path(blob_key(namespace, digest)), size):
            return digest
        return self._write(chunks, size, namespace=namespace, expected=digest)

    def get_blob(self, namespace: str, digest: str) -> memoryview:
        path = self.path(blob_key(namespace, digest))
        try:
            with open(path, "rb", buffering=0) as file:
                size = os.fstat(file.fileno()).st_size
                view = _map_private(file, size) if size >= MAP_MIN else None
                if view is None:
                    view = allocate(size)
                    read_exactly(file, view)
                    if file.read(1):
                        raise OSError("the file grew while it was being read")
                actual = blob_digest([view])
        except FileNotFoundError:
            raise NotFound(f"blob {digest} not found at {path}") from None
        except OSError as exc:
            raise DatastoreError(f"cannot read blob {path}: {exc}") from exc
        if actual != digest:
            raise IntegrityError(
                f"blob {digest} at {path} is corrupt: its {size} bytes hash to {actual}"
            )
        return view

    def has_blob(self, namespace: str, digest: str) -> bool:
        return self.path(blob_key(namespace, digest)).is_file()

    @staticmethod
    def _blob_present(path: Path, size: int) -> bool:
        try:
            return path.stat().st_size == size  # a wrong size is repaired by rewriting
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise DatastoreError(f"cannot stat {path}: {exc}") from exc

    # -- keys -------------------------------------------------------------------------------

    def put_bytes(self, key: str, data: Chunks) -> None:
        chunks = as_chunks(data)
        self._write(chunks, total_size(chunks), key=key)

    def put_if_absent(self, key: str, data: Chunks) -> bool:
        """A complete temp file, hard-linked to the key (os.link fails if the name exists, and
        never leaves a partial file there), then the temp name is removed."""
        chunks = as_chunks(data)
        final = self.path(key)
        temp = final.parent / _temp_name(final.name)
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            with open(temp, "xb", buffering=0) as file:
                write_hashed(file, chunks, total_size(chunks), self.fsync)
            if self.fsync:
                _fsync_path(temp)
            try:
                os.link(temp, final)
            except FileExistsError:
                return False
            if self.fsync:
                _fsync_path(final.parent)
            return True
        except OSError as exc:
            raise DatastoreError(f"cannot create {key} under {self.root}: {exc}") from exc
        finally:
            temp.unlink(missing_ok=True)

    def put_log(self, key: str, data: bytes | str) -> None:
        """Logs are written atomically but never fsync'ed: a power cut may lose a log, never
        a blob or a record (which are what a run's correctness rests on)."""
        chunks = as_chunks(data.encode() if isinstance(data, str) else data)
        self._write(chunks, total_size(chunks), key=key, durable=False)

    def get_bytes(self, key: str) -> bytes:
        path = self.path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"{path} does not exist") from None
        except OSError as exc:
            raise DatastoreError(f"cannot read {path}: {exc}") from exc

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def _prefix_path(self, prefix: str) -> Path:
        prefix = prefix.strip("/")
        return self.path(prefix) if prefix else self.root

    def list_keys(self, prefix: str) -> list[str]:
        top = self._prefix_path(prefix)
        keys: list[str] = []
        for directory, _, files in os.walk(top):
            rel = Path(directory).relative_to(self.root).as_posix()
            keys.extend(f"{rel}/{name}" for name in files if not name.startswith("."))
        return sorted(keys)

    def list_children(self, prefix: str) -> list[str]:
        try:
            names = os.listdir(self._prefix_path(prefix))
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as exc:
            raise DatastoreError(f"cannot list {self.root / prefix}: {exc}") from exc
        return sorted(name for name in names if not name.startswith("."))

    def clean_temp_files(self, older_than: float = 3600.0, *, under: str = "",
                         dead_writers: bool = False, recursive: bool = True) -> int:
        """Remove temporary files older than `older_than` seconds in the folder of key prefix
        `under` (and below it, when `recursive`); with `dead_writers`, only those written by
        a process of this machine that has exited. Returns how many were removed."""
        cutoff, removed = time.time() - older_than, 0
        top = self.root / check_key(under.rstrip("/")) if under.strip("/") else self.root
        walk = os.walk(top) if recursive else [(str(top), [], _file_names(top))]
        for directory, _, files in walk:
            for name in files:
                path = Path(directory, name)
                if not name.startswith(".") or _TEMP_MARK not in name:
                    continue
                if dead_writers and not _writer_gone(name):
                    continue
                try:
                    if path.stat().st_mtime < cutoff:
                        path.unlink()
                        removed += 1
                except OSError:
                    continue
        return removed

    # -- the atomic write -----------------------------------------------------------------

    def _write(
        self,
        chunks: list[memoryview],
        size: int,
        *,
        key: str | None = None,
        namespace: str = "",
        expected: str | None = None,
        durable: bool = True,
    ) -> str:
        """Write chunks to a temp file while hashing, then rename it to its key.

        For a blob (`key` None) the key comes from the digest; an existing blob of the same
        size is kept (dedup) and the temp file is removed. Returns the content address.
        """
        directory = self.path(key).parent if key else self.path(f"{namespace}/blobs")
        temp = None
        try:
            directory.mkdir(parents=True, exist_ok=True)
            stem = key.rsplit("/", 1)[-1] if key else "blob"
            temp = directory / _temp_name(stem)
            with open(temp, "xb", buffering=0) as file:
                digest = write_hashed(file, chunks, size, self.fsync and durable)
            if expected is not None and digest != expected:
                raise IntegrityError(f"blob bytes hash to {digest}, not to the given {expected}")
            final = self.path(key) if key else self.path(blob_key(namespace, digest))
            if key is None and self._blob_present(final, size):
                temp.unlink()  # dedup: no need to make the copy durable
                return digest
            if self.fsync and durable:
                _fsync_path(temp)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp, final)
            temp = None
            if self.fsync and durable:
                _fsync_path(final.parent)
            return digest
        except OSError as exc:
            raise DatastoreError(f"cannot write {key or 'blob'} under {self.root}: {exc}") from exc
        finally:
            if temp is not None:
                temp.unlink(missing_ok=True)


def _file_names(directory: Path) -> list[str]:
    try:
        return [entry.name for entry in os.scandir(directory) if entry.is_file()]
    except OSError:
        return []


def _map_private(file: BinaryIO, size: int) -> memoryview | None:
    """The file mapped copy-on-write, or None where mapping is not possible."""
    try:
        mapping = mmap.mmap(file.fileno(), size, access=mmap.ACCESS_COPY)
    except (OSError, ValueError):  # a filesystem without mmap: read it instead
        return None
    if hasattr(mapping, "madvise") and hasattr(mmap, "MADV_SEQUENTIAL"):
        mapping.madvise(mmap.MADV_SEQUENTIAL)
    return memoryview(mapping)


def _fsync_path(path: Path) -> None:
    """fsync a file or a directory by path."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
