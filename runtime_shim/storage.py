"""The shim's thin adapter over the datastore package: open a URL with shim errors.

Everything else goes through `runtime_shim.records.TaskStore`. Datastore failures become
InfraError (exit 3) here, so the rest of the shim sees one error type per exit code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flowc.runtime_shim.errors import InfraError

DATASTORE_ENV = "FLOWC_DATASTORE"  # the datastore the results client reads by default

if TYPE_CHECKING:
    from flowc.runtime_shim.datastore.base import Datastore


def open_store_url(url: str) -> Datastore:
    """The datastore at `url`; InfraError with a one-line reason when it cannot be used."""
    from flowc.runtime_shim.datastore import DatastoreError, open_datastore

    try:
        return open_datastore(url)
    except DatastoreError as exc:
        raise InfraError(f"datastore {url!r} cannot be used: {exc}") from exc
