"""Load a task's code: `ir.json` and the flow class, from a code directory or a code package.

The flow file is imported by path under a fixed, fresh module name (`flowc_flow_<stem>`, so
pickled instances of classes it defines load in every task), with its directory first on
`sys.path` for sibling imports, and with `metaflow` aliased to flowc's API when the source
imports it. The flow's `__main__` block does not run. When the local runner names the user's
own flow file ($FLOWC_SOURCE_FILE) and it holds the same source, the module's code carries
that path, so tracebacks and `linecache` show the user's file instead of the package cache.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from flowc.compiler.ir import Flow, IRFormatError, loads
from flowc.runtime_shim import api, metaflow_alias
from flowc.runtime_shim.api import FlowSpec
from flowc.runtime_shim.codepkg import IR_FILE
from flowc.runtime_shim.errors import InfraError, UsageError, UserError
from flowc.runtime_shim.tracebacks import user_traceback

if TYPE_CHECKING:
    from flowc.runtime_shim.datastore.base import Datastore

_IMPORTS_METAFLOW = re.compile(r"^\s*(?:from\s+metaflow[\s.]|import\s+metaflow\b)", re.MULTILINE)
_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
FLOW_MODULE_PREFIX = "flowc_flow_"
SOURCE_FILE_ENV = "FLOWC_SOURCE_FILE"  # set by the local runner: the flow file as the user knows it


@dataclass(frozen=True, slots=True)
class LoadedCode:
    """Where the code is, its IR, and the flow class (imported)."""

    code_dir: Path
    flow: Flow
    flow_class: type[FlowSpec]
    module: ModuleType


def read_ir(code_dir: Path) -> Flow:
    """The IR in `code_dir/ir.json`; InfraError when missing or unreadable."""
    path = code_dir / IR_FILE
    try:
        return loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InfraError(f"no {IR_FILE} in the code directory '{code_dir}'") from None
    except (OSError, UnicodeDecodeError, IRFormatError) as exc:
        raise InfraError(f"cannot read {path}: {exc}") from exc


def code_dir_from_package(datastore: Datastore, digest: str) -> Path:
    """The unpacked code package `digest` (fetched from the datastore once per machine)."""
    from flowc.runtime_shim import codepkg
    from flowc.runtime_shim.datastore.base import DatastoreError, NotFound, check_digest

    try:
        check_digest(digest)
    except ValueError as exc:
        raise UsageError(f"--code-package: {exc}") from None
    cache = codepkg.default_cache_dir()
    found = codepkg.cached_package(digest, cache)
    if found is not None:
        return found
    try:
        data = bytes(datastore.get_blob(codepkg.CODE_NAMESPACE, digest))
    except NotFound:
        raise InfraError(f"code package {digest} not found in {datastore.url}") from None
    except (DatastoreError, ValueError) as exc:
        raise InfraError(f"cannot read code package {digest}: {exc}") from exc
    try:
        return codepkg.unpack_code_package(data, digest, cache)
    except OSError:  # e.g. a read-only home in a container: use the temp directory
        cache = Path(tempfile.gettempdir()) / "flowc-code"
    except Exception as exc:
        raise InfraError(f"cannot unpack code package {digest} into {cache}: {exc}") from exc
    try:
        return codepkg.unpack_code_package(data, digest, cache)
    except Exception as exc:
        raise InfraError(f"cannot unpack code package {digest} into {cache}: {exc}") from exc


def module_name(flow_path: str) -> str:
    """The module name a flow file is imported under: fixed for a path, unlike any package."""
    return FLOW_MODULE_PREFIX + _UNSAFE.sub("_", Path(flow_path).stem)


def _real_metaflow_importable() -> bool:
    """Whether `import metaflow` gives the real Metaflow (not flowc's alias, not nothing)."""
    loaded = sys.modules.get("metaflow")
    if loaded is not None:
        return not getattr(loaded, "__flowc_alias__", False)
    try:
        return importlib.util.find_spec("metaflow") is not None
    except (ImportError, ValueError):
        return False


def _read_python(path: Path) -> str:
    """A Python file's text, decoded as the interpreter decodes it (PEP 263 coding line)."""
    import tokenize

    with tokenize.open(path) as file:
        return file.read()


def shown_filename(packaged: Path, source: str) -> str | None:
    """The user's flow file named by $FLOWC_SOURCE_FILE when it holds exactly `source` (the
    packaged copy at `packaged`), else None: tracebacks then name the packaged copy, whose
    lines are the ones that ran (an orchestrator has no other; an edited file would lie)."""
    named = os.environ.get(SOURCE_FILE_ENV)
    if not named or named == str(packaged):
        return None
    try:
        return named if _read_python(Path(named)) == source else None
    except (OSError, UnicodeDecodeError, SyntaxError):
        return None


def import_flow_module(code_dir: Path, flow: Flow, *, task: bool = True) -> ModuleType:
    """Import the flow file; UserError (exit 1) when the user's module raises.

    `task=False` (the results client unpickling a class the flow defines) aliases `metaflow`
    only when the real one is not installed: a notebook's own Metaflow stays as it is.
    """
    path = (code_dir / flow.path).resolve()
    try:
        source = _read_python(path)
    except (OSError, UnicodeDecodeError, SyntaxError) as exc:
        raise InfraError(f"cannot read the flow file {path}: {exc}") from exc
    if _IMPORTS_METAFLOW.search(source) and (task or not _real_metaflow_importable()):
        metaflow_alias.install()
    name = module_name(flow.path)
    for directory in (str(code_dir.resolve()), str(path.parent)):
        if directory in sys.path:
            sys.path.remove(directory)
        sys.path.insert(0, directory)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise InfraError(f"cannot import the flow file {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    shown = shown_filename(path, source) if task else None
    api.loading_for_task(True)
    try:
        if shown is None:
            spec.loader.exec_module(module)
        else:  # the same code, compiled under the name of the user's own file
            exec(compile(source, shown, "exec", dont_inherit=True), module.__dict__)
    except BaseException as exc:
        del sys.modules[name]
        if isinstance(exc, KeyboardInterrupt):
            raise
        traceback.print_exception(type(exc), exc, user_traceback(exc))
        raise UserError(f"importing {flow.path} raised {type(exc).__name__}: {exc}") from exc
    finally:
        api.loading_for_task(False)
    return module


def import_packaged_flow_module(datastore: Datastore, digest: str, module: str) -> bool:
    """For the results client: import the flow module named `module` from code package
    `digest`, so that instances of classes the flow file defines unpickle; False when the
    package is not there or its flow module has another name."""
    try:
        code_dir = code_dir_from_package(datastore, digest)
        flow = read_ir(code_dir)
        if module_name(flow.path) != module:
            return False
        import_flow_module(code_dir, flow, task=False)
    except (InfraError, UsageError):  # a UserError (the module raised) propagates
        return False
    return True


def flow_class(module: ModuleType, flow: Flow) -> type[FlowSpec]:
    """The class named by the IR; InfraError when the code does not define it."""
    cls = getattr(module, flow.name, None)
    if not isinstance(cls, type) or not issubclass(cls, FlowSpec):
        raise InfraError(
            f"{flow.path} does not define a FlowSpec class {flow.name} (code and ir.json differ)"
        )
    return cls


def load_code(code_dir: Path, flow: Flow | None = None) -> LoadedCode:
    """Read the IR (unless given), import the flow file and find its class."""
    flow = read_ir(code_dir) if flow is None else flow
    module = import_flow_module(code_dir, flow)
    return LoadedCode(code_dir=code_dir, flow=flow, flow_class=flow_class(module, flow),
                      module=module)
