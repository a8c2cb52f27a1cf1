"""The shared shape of a deployment: a list of resources, each brought to the state the flow
wants (created, updated in place, deleted, or left alone), in order, so that nothing is ever
half-deployed: the code package comes first, the definition next, its schedule and triggers
last.

A resource knows how to read what is there, and a fingerprint of what it wants; equal
fingerprints mean "unchanged" and no write call is made, which is what makes deploying the
same flow twice a no-op. `--dry-run` asks each resource for the calls it would make and the
object it would write, and calls nothing.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from flowc.targets.deploy.errors import DeployError


class Outcome(Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DELETED = "deleted"
    ABSENT = "absent"

    @property
    def changed(self) -> bool:
        return self in (Outcome.CREATED, Outcome.UPDATED, Outcome.DELETED)


@dataclass(frozen=True, slots=True, kw_only=True)
class Found:
    """What a read found: the fingerprint of the object there (None when it has none we know,
    e.g. made by hand) and what an update needs (a resourceVersion, an ARN)."""

    fingerprint: str | None
    handle: Any = None


def fingerprint(value: Any) -> str:
    """A stable digest of a JSON-able value (key order does not matter)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Resource(ABC):
    """One object on the target system. `wanted` False: the flow no longer has it, so an
    existing one is deleted (a CronWorkflow whose flow lost its @schedule)."""

    kind: str = ""

    @property
    @abstractmethod
    def name(self) -> str:
        """The object's name as the user finds it on the system (with its namespace, ...)."""

    @property
    def wanted(self) -> bool:
        return True

    @property
    @abstractmethod
    def wanted_fingerprint(self) -> str: ...

    @abstractmethod
    def planned_calls(self) -> tuple[str, ...]:
        """The calls a deploy makes for this resource, one line each (for --dry-run)."""

    def shown(self) -> str | None:
        """The object as --dry-run prints it (None: nothing worth printing)."""
        return None

    @abstractmethod
    def read(self) -> Found | None: ...

    @abstractmethod
    def create(self) -> None: ...

    @abstractmethod
    def update(self, found: Found) -> None: ...

    def delete(self, found: Found) -> None:
        raise AssertionError(f"{self.kind} {self.name} is always wanted")  # pragma: no cover

    def describe(self, outcome: Outcome) -> str:
        """The line a deploy prints for this resource."""
        return f"{self.kind} {self.name}: {outcome.value}"


def apply(resource: Resource) -> Outcome:
    """Bring one resource to its wanted state; DeployError (one line) when a call fails."""
    found = resource.read()
    if not resource.wanted:
        if found is None:
            return Outcome.ABSENT
        resource.delete(found)
        return Outcome.DELETED
    if found is None:
        resource.create()
        return Outcome.CREATED
    if found.fingerprint == resource.wanted_fingerprint:
        return Outcome.UNCHANGED
    resource.update(found)
    return Outcome.UPDATED


@dataclass(frozen=True, slots=True, kw_only=True)
class Deployment:
    """The resources of one deploy, in the order they are applied, and the line that says
    where the flow went."""

    target: str
    flow: str
    where: str
    resources: tuple[Resource, ...]
    missing: tuple[str, ...] = ()  # settings a real deploy needs and does not have


@dataclass(frozen=True, slots=True, kw_only=True)
class Triggered:
    """A started run: its run id and the lines that say where to watch it (a dry run: the
    calls it would make)."""

    run_id: str  # empty for a dry run
    lines: tuple[str, ...]
    missing: tuple[str, ...] = ()  # a dry run's notes: settings a real trigger needs


def run(deployment: Deployment, say: Callable[[str], None]) -> tuple[Outcome, ...]:
    """Apply every resource in order, printing one line each, then a summary."""
    if deployment.missing:
        raise DeployError("; ".join(deployment.missing))
    outcomes = []
    for resource in deployment.resources:
        outcome = apply(resource)
        outcomes.append(outcome)
        say(resource.describe(outcome))
    if any(outcome.changed for outcome in outcomes):
        say(f"deployed {deployment.flow} to {deployment.where}")
    else:
        say(f"nothing changed: {deployment.flow} is already deployed as it is to "
            f"{deployment.where}")
    return tuple(outcomes)


def dry_run_lines(deployment: Deployment, comment: str = "# ") -> Iterable[str]:
    """Every call and object of the deployment; comments start with `comment`, so that the
    objects between them can be piped to their tool (`kubectl apply -f -`)."""
    yield f"{comment}dry run: deploy {deployment.flow} to {deployment.where}; nothing is called"
    for resource in deployment.resources:
        yield f"{comment}{resource.kind} {resource.name}"
        for call in resource.planned_calls():
            yield f"{comment}  {call}"
        shown = resource.shown()
        if shown is not None:
            yield shown.rstrip("\n")
    for problem in deployment.missing:
        yield f"{comment}a real deploy stops here: {problem}"
