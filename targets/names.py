"""Names that fit a system's rules: kebab-case for Argo, word characters for Airflow, a length
limit everywhere. A name that had to change (characters replaced, cut to the limit, or equal
to another one after that) gets a stable hash suffix of the original, so the same flow always
gets the same names and two different steps never share one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

HASH_LENGTH = 6


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_LENGTH]


@dataclass(frozen=True, slots=True, kw_only=True)
class NameRules:
    """`limit` characters at most; characters outside `allowed` become `replacement`; the
    name must start and end with a character of `edges` (RFC 1123: a letter or digit)."""

    limit: int
    allowed: str  # a regex character class body, e.g. "a-z0-9-"
    replacement: str = "-"
    lowercase: bool = True
    edges: str = "a-z0-9"

    def clean(self, name: str) -> str:
        """The name in the allowed alphabet, before any length or collision handling."""
        text = name.lower() if self.lowercase else name
        text = re.sub(f"[^{self.allowed}]", self.replacement, text)
        return re.sub(f"^[^{self.edges}]+|[^{self.edges}]+$", "", text)

    def fit(self, name: str, *, force_suffix: bool = False) -> str:
        """`name` cleaned; with `-<hash>` of the original when cleaning changed more than the
        letter case and `_`/`/` -> `-`, when it is too long, or when `force_suffix` is given."""
        cleaned = self.clean(name)
        # Lower case and `_` or `/` (a flowc-made key like "train/body") as the replacement
        # character are the expected changes; anything else earns the hash suffix.
        allowed = re.compile(f"[{self.allowed}]")
        expected = "".join(
            char if allowed.fullmatch(char) else self.replacement if char in "_/" else "\0"
            for char in (name.lower() if self.lowercase else name)).strip(self.replacement)
        changed = cleaned != expected or not cleaned
        if not (changed or force_suffix or len(cleaned) > self.limit):
            return cleaned
        suffix = _digest(name)
        head = cleaned[: self.limit - HASH_LENGTH - 1].rstrip(self.replacement)
        return f"{head}{self.replacement}{suffix}" if head else f"x{suffix}"[: self.limit]

    def ok(self, name: str) -> bool:
        return len(name) <= self.limit and self.clean(name) == name and bool(name)


def assign(rules: NameRules, names: Iterable[str], taken: Iterable[str] = ()) -> dict[str, str]:
    """A distinct fitted name for each of `names` (in order), none equal to one of `taken`.
    Names that collide after fitting all get a hash suffix; if that still collides (a
    different original hashing to the same six digits), a counter is mixed into the hash."""
    originals = list(dict.fromkeys(names))
    reserved = set(taken)
    fitted = {name: rules.fit(name) for name in originals}
    counts: dict[str, int] = {}
    for name in originals:
        counts[fitted[name]] = counts.get(fitted[name], 0) + 1
    result: dict[str, str] = {}
    used = set(reserved)
    for name in originals:
        candidate = fitted[name]
        if counts[candidate] > 1 or candidate in reserved:
            candidate = rules.fit(name, force_suffix=True)
        attempt = 0
        while candidate in used:
            attempt += 1
            candidate = rules.fit(f"{name}#{attempt}", force_suffix=True)
        used.add(candidate)
        result[name] = candidate
    return result
