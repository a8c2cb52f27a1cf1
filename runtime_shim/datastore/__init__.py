"""Datastores: where tasks keep blobs, records and logs. `open_datastore(url)` picks one.

A URL is a directory path, `file:///abs/dir`, or `s3://bucket[/prefix]`. The S3 backend (and
boto3) is imported only when an s3:// URL is opened, so importing this package stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flowc.runtime_shim.datastore.base import (
    Datastore,
    DatastoreError,
    IntegrityError,
    NotFound,
    blob_key,
)
from flowc.runtime_shim.datastore.local import LocalDatastore

if TYPE_CHECKING:
    from flowc.runtime_shim.datastore.s3 import S3Datastore

__all__ = [
    "Datastore",
    "DatastoreError",
    "IntegrityError",
    "LocalDatastore",
    "NotFound",
    "S3Datastore",
    "blob_key",
    "open_datastore",
]


def open_datastore(url: str, *, create: bool = False, fsync: bool | None = None) -> Datastore:
    """Open the datastore at `url` (a path, `file:///abs/dir` or `s3://bucket[/prefix]`).

    A local directory must exist unless `create` is True (the local runner passes True only
    for its default `.flowc/`). `fsync` (local only): see LocalDatastore. Raises
    DatastoreError with a one-line message.
    """
    if not url:
        raise DatastoreError(
            "empty datastore URL (expected a directory, file:///dir or s3://bucket)"
        )
    if url.startswith("s3://"):
        from flowc.runtime_shim.datastore.s3 import S3Datastore

        return S3Datastore(url)
    if url.startswith("file://"):
        host, slash, path = url[7:].partition("/")
        if host not in ("", "localhost") or not slash:
            raise DatastoreError(f"unsupported file URL {url!r} (expected file:///absolute/dir)")
        if "%" in path:  # percent-encoded characters (rare): decode them
            from urllib.parse import unquote

            path = unquote(path)
        return LocalDatastore("/" + path, create=create, fsync=fsync)
    if "://" in url:
        scheme = url.split("://", 1)[0]
        raise DatastoreError(
            f"unsupported datastore URL scheme '{scheme}://' in {url!r} "
            "(expected a directory, file:///dir or s3://bucket[/prefix])"
        )
    return LocalDatastore(url, create=create, fsync=fsync)


def __getattr__(name: str) -> object:
    if name == "S3Datastore":
        from flowc.runtime_shim.datastore.s3 import S3Datastore

        return S3Datastore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
