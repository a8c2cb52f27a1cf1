"""Who is behind something in a datastore that is still in progress (a temp file being
written, a run being run): `<pid>@<host>`, and whether that process is known to be gone.

Only a process of this machine can be known gone; another host's process, or an owner that
cannot be read, is assumed alive (its leftovers are judged by age instead).
"""

from __future__ import annotations

import os
import re

HOST = re.sub(r"[^A-Za-z0-9_.-]", "_", os.uname().nodename) or "host"


def current_owner() -> str:
    """This process, as `<pid>@<host>`."""
    return f"{os.getpid()}@{HOST}"


def owner_gone(owner: str) -> bool:
    """Whether `owner` (`<pid>@<host>`) was a process of this machine that has exited."""
    pid, _, host = owner.partition("@")
    if host != HOST or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # e.g. EPERM: it exists, as another user
        return False
    return _zombie(int(pid))


def _zombie(pid: int) -> bool:
    """A process that has exited but not been reaped yet still answers kill(pid, 0)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False
