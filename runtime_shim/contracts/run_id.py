"""One run-id format that every orchestrator accepts as is, and that sorts by start time.

`20261204-170803-538-61930a`: the UTC start to the millisecond, then 6 random hex digits. It is
at once a valid Argo object-name suffix (lowercase RFC 1123: `[a-z0-9-]`, alphanumeric at both
ends), a Step Functions execution name (at most 80 characters, none of whitespace, brackets,
wildcards or special characters) and an Airflow run id (`[A-Za-z0-9_.~:+-]`). A run id chosen
by a user (`flowc run --run-id`) must follow the same rule, at most `RUN_ID_MAX` characters.
"""

from __future__ import annotations

import re
import secrets
import time
from datetime import UTC, datetime

RUN_ID_MAX = 30  # leaves room for a flow name in Argo's 63-character object names
_RUN_ID_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
RUN_ID_RULE = (f"lowercase letters, digits and '-', starting and ending with a letter or digit, "
               f"at most {RUN_ID_MAX} characters")


class InvalidRunId(ValueError):
    """A run id that some orchestrator would refuse."""


def new_run_id(now: float | None = None) -> str:
    """A fresh run id for a run starting at `now` (default: the current time)."""
    moment = datetime.fromtimestamp(time.time() if now is None else now, UTC)
    millis = moment.microsecond // 1000
    return f"{moment:%Y%m%d-%H%M%S}-{millis:03d}-{secrets.token_hex(3)}"


def is_valid_run_id(text: str) -> bool:
    """Whether `text` is usable as a run id on every target."""
    return len(text) <= RUN_ID_MAX and _RUN_ID_RE.fullmatch(text) is not None


def check_run_id(text: str) -> str:
    """`text` when it is a valid run id; else InvalidRunId saying what the rule is."""
    if not is_valid_run_id(text):
        raise InvalidRunId(f"run id {text!r} is not usable on every target ({RUN_ID_RULE})")
    return text
