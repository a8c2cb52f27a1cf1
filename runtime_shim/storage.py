"""The shim's thin adapter over the datastore package: open a URL, find a code package.

Everything else goes through `runtime_shim.records.TaskStore`. Datastore failures become
InfraError (exit 3) here, so the rest of the shim sees one error type per exit code.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from runtime_shim.errors import InfraError

if TYPE_CHECKING:
    from runtime_shim.datastore.base import Datastore


def open_store_url(url: str) -> Datastore:
    """The datastore at `url`; InfraError with a one-line reason when it cannot be used."""
    from runtime_shim.datastore import DatastoreError, open_datastore

    try:
        return open_datastore(url)
    except DatastoreError as exc:
        raise InfraError(f"datastore {url!r} cannot be used: {exc}") from exc


def namespaces(datastore: Datastore) -> list[str]:
    """The top-level names of the datastore (one per flow)."""
    try:
        return datastore.list_children("")
    except ValueError:  # the root is not a valid key for this datastore version
        pass
    root = getattr(datastore, "root", None)
    if root is not None:
        return sorted(name for name in os.listdir(root) if not name.startswith("."))
    return _s3_namespaces(datastore)


def _s3_namespaces(datastore: Any) -> list[str]:
    prefix = f"{datastore.prefix}/" if getattr(datastore, "prefix", "") else ""
    names: set[str] = set()
    paginator = datastore.client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=datastore.bucket, Prefix=prefix, Delimiter="/"):
        for item in page.get("CommonPrefixes", ()):
            names.add(item["Prefix"][len(prefix):].rstrip("/"))
    return sorted(names)


def package_namespace(datastore: Datastore, digest: str) -> str:
    """The flow namespace holding blob `digest` (a code package); InfraError when none."""
    from runtime_shim.datastore.base import DatastoreError, check_digest

    try:
        check_digest(digest)
    except ValueError as exc:
        raise InfraError(f"--code-package: {exc}") from None
    try:
        for name in namespaces(datastore):
            if datastore.has_blob(name, digest):
                return name
    except (DatastoreError, OSError) as exc:
        raise InfraError(f"cannot look for code package {digest}: {exc}") from exc
    raise InfraError(f"code package {digest} not found in {datastore.url}")
