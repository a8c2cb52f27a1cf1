"""Tracebacks as a user should see them: from their own code down, the shim's frames left out.

A step method or a flow module runs under a few frames of the shim and of importlib; those
frames say nothing about the user's mistake, so every traceback the shim prints or stores
starts at the first frame that is neither.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from types import TracebackType

_SHIM_DIR = Path(__file__).resolve().parent


def _is_machinery(filename: str) -> bool:
    """A frame of the shim itself or of the import system (`<frozen importlib...>`)."""
    return filename.startswith("<frozen ") or Path(filename).resolve().is_relative_to(_SHIM_DIR)


def user_traceback(exc: BaseException) -> TracebackType | None:
    """`exc`'s traceback from the first frame outside the shim and the import system.

    When every frame is the shim's (an error raised by the shim on the user's behalf, such as
    a bad `self.next`), the last frame is kept so the traceback still says where.
    """
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None and _is_machinery(
            tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    return tb


def format_user_exception(exc: BaseException) -> str:
    """The exception and its user-side traceback, as `traceback` prints them."""
    return "".join(traceback.format_exception(type(exc), exc, user_traceback(exc)))
