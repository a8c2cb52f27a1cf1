"""Code packages, built and stored by the targets: the flow's folder plus `ir.json` as one
deterministic tar, uploaded once to a local or S3 datastore under its digest.

The same source gives the same bytes on any machine: entries sorted by name, mtime 0, no
uid/gid/uname/gname, mode 0o755 for a file its owner may execute and 0o644 otherwise, and no
compression (deflate output differs between zlib builds, e.g. zlib-ng). The shim's side,
unpacking a package into the task's code cache, is `flowc.runtime_shim.codepkg`.
"""

from __future__ import annotations

import io
import os
import stat
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flowc.runtime_shim.codepkg import CODE_NAMESPACE, IR_FILE
from flowc.runtime_shim.datastore.base import Datastore, DatastoreError
from flowc.runtime_shim.datastore.digest import blob_digest

SKIPPED_DIRS = frozenset({".flowc", "__pycache__", ".git", "node_modules", ".hg", ".tox"})
SKIPPED_DIR_PREFIXES = (".venv",)
SKIPPED_SUFFIXES = (".pyc", ".pyo")


class PackageError(Exception):
    """The flow's folder cannot be packaged or stored (one line, for the CLI)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredPackage:
    """A code package in a datastore: its digest, its size, and whether this call wrote it."""

    digest: str
    size: int
    uploaded: bool


def _skipped_dir(name: str) -> bool:
    return name in SKIPPED_DIRS or name.startswith(SKIPPED_DIR_PREFIXES)


def package_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(archive name, path) of every regular file to package, in sorted archive-name order.

    Skips `.flowc/`, `.venv*`, `__pycache__`, `.git`, `node_modules`, compiled files, and an
    `ir.json` at the root (the package's own goes there). A symbolic link to a file is packaged
    as the file; a linked directory is not followed.
    """
    found: list[tuple[str, Path]] = []
    for directory, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = [name for name in dirs if not _skipped_dir(name)]
        base = Path(directory)
        for name in files:
            path = base / name
            rel = path.relative_to(root).as_posix()
            if rel == IR_FILE or name.endswith(SKIPPED_SUFFIXES) or not path.is_file():
                continue
            found.append((rel, path))
    return iter(sorted(found))


def _entry(name: str, size: int, executable: bool) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o755 if executable else 0o644
    return info


def build_package(root: str | os.PathLike[str], ir_json: str) -> bytes:
    """The package bytes for the flow folder `root` with `ir_json` as `ir.json` (first)."""
    root = Path(root)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        ir_bytes = ir_json.encode()
        tar.addfile(_entry(IR_FILE, len(ir_bytes), False), io.BytesIO(ir_bytes))
        for name, path in package_files(root):
            data = path.read_bytes()
            executable = bool(path.stat().st_mode & stat.S_IXUSR)
            tar.addfile(_entry(name, len(data), executable), io.BytesIO(data))
    return raw.getvalue()


def package_digest(flow_dir: Path, ir_json: str) -> str:
    """The digest the package of `flow_dir` has (what `upload_package` stores it under), for a
    definition that names its code before it is uploaded. Raises PackageError."""
    try:
        return blob_digest([build_package(flow_dir, ir_json)])
    except (OSError, MemoryError) as exc:
        raise PackageError(f"cannot package the flow's directory {flow_dir}: {exc}") from None


def datastore_inside(flow_dir: Path, datastore: Datastore) -> Path | None:
    """The local datastore's root when the package of `flow_dir` would include it."""
    root = getattr(datastore, "root", None)
    if not isinstance(root, Path):
        return None
    try:
        relative = root.resolve().relative_to(flow_dir.resolve())
    except ValueError:
        return None
    if any(_skipped_dir(part) for part in relative.parts):
        return None
    return root


def upload_package(datastore: Datastore, flow_dir: Path, ir_json: str) -> StoredPackage:
    """Build the package of `flow_dir` with `ir_json` and store it unless the datastore has it.

    Raises PackageError when the datastore lies inside the folder (each run would package
    it into itself), when the folder cannot be read or held in memory, or the store fails.
    """
    inside = datastore_inside(flow_dir, datastore)
    if inside is not None:
        raise PackageError(
            f"the datastore {inside} is inside the flow's directory {flow_dir}, which every run "
            "packages as its code: the datastore would be copied into itself on each run. Use "
            "a datastore outside it (or name the folder .flowc)")
    try:
        data = build_package(flow_dir, ir_json)
    except MemoryError:
        raise PackageError(f"the flow's directory {flow_dir} is too large to package as the "
                           "run's code: move data files out of it") from None
    except OSError as exc:
        raise PackageError(f"cannot package the flow's directory {flow_dir}: {exc}") from None
    digest = blob_digest([data])
    try:
        if datastore.has_blob(CODE_NAMESPACE, digest):
            return StoredPackage(digest=digest, size=len(data), uploaded=False)
        datastore.put_blob(CODE_NAMESPACE, data, digest=digest)
    except DatastoreError as exc:
        raise PackageError(f"cannot store the code package in {datastore.url}: {exc}") from None
    return StoredPackage(digest=digest, size=len(data), uploaded=True)
