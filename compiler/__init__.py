"""flowc's compiler: Python flow source -> IR -> checked IR, with diagnostics.

Importing this package is light: the frontend (stdlib `ast`) is imported on first parse.
"""

from compiler.pipeline import CheckedFlow, CheckResult, check_file, check_source

__all__ = ["CheckResult", "CheckedFlow", "check_file", "check_source"]
