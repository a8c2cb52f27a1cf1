"""Code packages, the task's side: unpack a package once per machine into its code cache.

A package is a tar of the flow's directory with `ir.json` at its root, stored as a blob of
`CODE_NAMESPACE` and named by its digest; the targets build and upload it
(`flowc.targets.package`). A task unpacks it into `<cache>/<digest>/`, atomically (extract into
a temporary directory, then rename), and later tasks reuse it. Plain and gzipped tars (what
flowc wrote before) are both read.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from pathlib import Path

IR_FILE = "ir.json"
# The datastore namespace of every code package: a hyphen keeps it apart from flow names.
CODE_NAMESPACE = "code-packages"
CACHE_ENV = "FLOWC_CODE_CACHE"
_READY_MARK = ".flowc-complete"


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
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
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
