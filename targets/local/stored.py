"""A stored run's code: its code package unpacked (once per machine) and its IR re-derived,
so that `flowc resume RUN` without a file re-runs exactly the code of the original run."""

from __future__ import annotations

from pathlib import Path

from compiler.graph import FlowGraph
from compiler.ir import loads
from compiler.pipeline import CheckedFlow
from runtime_shim import codepkg
from runtime_shim.datastore.base import Datastore


def unpacked_package(datastore: Datastore, flow: str, digest: str) -> Path:
    """The directory of code package `digest`, unpacked into the shim's cache if needed."""
    cache = codepkg.default_cache_dir()
    found = codepkg.cached_package(digest, cache)
    if found is not None:
        return found
    data = bytes(datastore.get_blob(flow, digest))
    return codepkg.unpack_code_package(data, digest, cache)


def checked_from_package(datastore: Datastore, flow: str, digest: str) -> CheckedFlow:
    """The checked flow stored in a code package (it was checked when the run was made)."""
    ir = loads((unpacked_package(datastore, flow, digest) / codepkg.IR_FILE).read_text())
    return CheckedFlow(flow=ir, graph=FlowGraph.build(ir))
