"""Storing a run's code package from the command line, refusing what would go wrong.

The code package is the flow's whole directory (minus `.flowc/`, `.venv*`, `.git`, ...). A
local datastore inside that directory would be packaged into itself on every run, doubling
in size each time, so it is refused before anything is written; a directory that cannot be
read or held in memory is one line, not a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flowc.commands.common import fail

if TYPE_CHECKING:
    from flowc.runtime_shim.datastore import Datastore


def datastore_inside(flow_dir: Path, datastore: Datastore) -> Path | None:
    """The local datastore's root when the code package of `flow_dir` would include it."""
    from flowc.runtime_shim.codepkg import SKIPPED_DIR_PREFIXES, SKIPPED_DIRS

    root = getattr(datastore, "root", None)
    if not isinstance(root, Path):
        return None
    try:
        relative = root.resolve().relative_to(flow_dir.resolve())
    except ValueError:
        return None
    if any(part in SKIPPED_DIRS or part.startswith(SKIPPED_DIR_PREFIXES)
           for part in relative.parts):
        return None
    return root


def store_package(datastore: Datastore, flow_dir: Path, ir_json: str) -> str:
    """Store the code package of `flow_dir` with `ir_json`; its digest. Exits 2 when it cannot."""
    from flowc.runtime_shim.codepkg import store_code_package

    inside = datastore_inside(flow_dir, datastore)
    if inside is not None:
        fail(f"the datastore {inside} is inside the flow's directory {flow_dir}, which every "
             "run packages as its code: the datastore would be copied into itself on each run. "
             "Use a datastore outside it (or name the folder .flowc)")
    try:
        return store_code_package(datastore, flow_dir, ir_json)
    except MemoryError:
        fail(f"the flow's directory {flow_dir} is too large to package as the run's code: "
             "move data files out of it")
    except OSError as exc:
        fail(f"cannot package the flow's directory {flow_dir}: {exc}")
