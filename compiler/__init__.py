"""flowc's compiler: Python flow source -> IR -> checked IR, with diagnostics.

Importing this package costs nothing: the runtime shim imports the IR package
(`flowc.compiler.ir`) inside every task, so the pipeline (and the frontend behind it) is
loaded only when one of its names is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flowc.compiler.pipeline import CheckedFlow, CheckResult, check_file, check_source

__all__ = ["CheckResult", "CheckedFlow", "check_file", "check_source"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from flowc.compiler import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'compiler' has no attribute {name!r}")
