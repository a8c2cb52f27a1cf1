"""Code packages: a flow's directory plus `ir.json` as one deterministic, content-addressed tar.

The same tree always gives the same bytes (entries sorted, mtimes, owners and modes
normalised, gzip without a timestamp), so its digest names it in the datastore. A task
unpacks a package once per machine into `<cache>/<digest>/`, atomically (extract into a
temporary directory, then rename), and later tasks reuse it.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # tarfile and gzip are imported only when a package is built or unpacked
    import tarfile

    from flowc.runtime_shim.datastore.base import Datastore

IR_FILE = "ir.json"
# The datastore namespace of every code package: a hyphen keeps it apart from flow names.
CODE_NAMESPACE = "code-packages"
SKIPPED_DIRS = frozenset({".flowc", "__pycache__", ".git", "node_modules", ".hg", ".tox"})
SKIPPED_DIR_PREFIXES = (".venv",)
SKIPPED_SUFFIXES = (".pyc", ".pyo")
CACHE_ENV = "FLOWC_CODE_CACHE"
_READY_MARK = ".flowc-complete"


def _skipped_dir(name: str) -> bool:
    return name in SKIPPED_DIRS or name.startswith(SKIPPED_DIR_PREFIXES)


def package_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(archive name, path) of every regular file to package, in sorted archive-name order.

    Skips `.flowc/`, `.venv*`, `__pycache__`, `.git`, `node_modules`, compiled files, and
    an `ir.json` at the root (the package's own goes there).
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
    import tarfile

    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o755 if executable else 0o644
    return info


def build_code_package(root: str | os.PathLike[str], ir_json: str) -> bytes:
    """The package bytes for the flow directory `root` with `ir_json` as `ir.json`."""
    import gzip
    import tarfile

    root = Path(root)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        ir_bytes = ir_json.encode()
        tar.addfile(_entry(IR_FILE, len(ir_bytes), False), io.BytesIO(ir_bytes))
        for name, path in package_files(root):
            data = path.read_bytes()
            executable = bool(path.stat().st_mode & stat.S_IXUSR)
            tar.addfile(_entry(name, len(data), executable), io.BytesIO(data))
    packed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=packed, mtime=0, compresslevel=6) as gz:
        gz.write(raw.getvalue())
    return packed.getvalue()


def store_code_package(datastore: Datastore, root: str | os.PathLike[str], ir_json: str) -> str:
    """Build the package and store it as a blob of CODE_NAMESPACE; return its digest."""
    return datastore.put_blob(CODE_NAMESPACE, build_code_package(root, ir_json))


def default_cache_dir() -> Path:
    """`$FLOWC_CODE_CACHE`, else `$XDG_CACHE_HOME/flowc/code`, else `~/.cache/flowc/code`."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "flowc" / "code"


def unpack_code_package(data: bytes, digest: str, cache_dir: str | os.PathLike[str]) -> Path:
    """The directory holding package `digest` (whose bytes are `data`), unpacking it once.

    Concurrent tasks on one machine may race: each extracts into its own temporary
    directory and renames it into place; the loser discards its copy.
    """
    import tarfile

    cache = Path(cache_dir)
    final = cache / digest
    if (final / _READY_MARK).is_file():
        return final
    cache.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{digest[:12]}-", dir=cache))
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            tar.extractall(temp, filter="data")
        (temp / _READY_MARK).write_bytes(b"")
        try:
            os.rename(temp, final)
        except OSError:
            if not (final / _READY_MARK).is_file():
                raise
    finally:
        if temp.exists():
            shutil.rmtree(temp, ignore_errors=True)
    return final


def cached_package(digest: str, cache_dir: str | os.PathLike[str]) -> Path | None:
    """The unpacked package directory when this machine has it already, else None."""
    final = Path(cache_dir) / digest
    return final if (final / _READY_MARK).is_file() else None
