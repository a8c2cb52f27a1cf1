"""What every deploy starts from (`Prepared`: the checked flow, the compiled files, the
target's settings) and its first resource, the code package: the flow's folder and `ir.json`
stored in the datastore under its digest (targets/package.py, as `flowc run` stores it),
uploaded only when the datastore does not have it yet."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowc.compiler.pipeline import CheckedFlow
from flowc.targets.deploy.errors import DeployError, Unreachable
from flowc.targets.deploy.plan import Found, Outcome, Resource


@dataclass(frozen=True, slots=True, kw_only=True)
class Prepared:
    """A compiled flow ready to deploy. `package_ir` is the `ir.json` its code package holds
    (spans relative to the flow's folder); `code_package` the digest the definition names,
    `package_given` whether the settings gave it (then it is not uploaded: the image or an
    earlier upload holds it)."""

    target: str
    checked: CheckedFlow
    files: Mapping[str, bytes]
    settings: Any
    flow_file: Path
    package_ir: str
    code_package: str
    package_given: bool = False


def parameter_values(prepared: Prepared,
                     params: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """`--param` values keyed by each parameter's name (a value may be given by the
    parameter's attribute name too), in the flow's order."""
    given = dict(params)
    values = []
    for parameter in prepared.checked.flow.parameters:
        for key in (parameter.name, parameter.attribute):
            if key in given:
                values.append((parameter.name, given[key]))
                break
    return tuple(values)


def datastore_errors(action: str, exc: Exception) -> DeployError:
    """A datastore failure as a DeployError: exit 3 when it does not answer."""
    from flowc.runtime_shim.datastore.base import Unreachable as StoreUnreachable

    if isinstance(exc, StoreUnreachable) or isinstance(exc.__context__, StoreUnreachable):
        return Unreachable(f"{action}: {exc}")
    return DeployError(f"{action}: {exc}")


class CodePackage(Resource):
    """The code package in the datastore: content-addressed, so it is either there (and the
    same) or missing; never updated."""

    kind = "code package"

    def __init__(self, prepared: Prepared, datastore: str) -> None:
        self.prepared = prepared
        self.datastore = datastore
        self.size: int | None = None

    @property
    def name(self) -> str:
        return f"{self.prepared.code_package} in {self.datastore}"

    @property
    def wanted_fingerprint(self) -> str:
        return self.prepared.code_package

    def planned_calls(self) -> tuple[str, ...]:
        return (f"look for {self.prepared.code_package} in {self.datastore}",
                "upload it when it is not there (the flow's folder and ir.json, one tar)")

    def _store(self) -> Any:
        from flowc.runtime_shim.datastore import DatastoreError, open_datastore

        try:
            return open_datastore(self.datastore)
        except DatastoreError as exc:
            raise datastore_errors("cannot open the datastore for the code package",
                                   exc) from None

    def read(self) -> Found | None:
        from flowc.runtime_shim.codepkg import CODE_NAMESPACE
        from flowc.runtime_shim.datastore import DatastoreError

        store = self._store()
        try:
            present = store.has_blob(CODE_NAMESPACE, self.prepared.code_package)
        except DatastoreError as exc:
            raise datastore_errors(f"cannot look for the code package in {self.datastore}",
                                   exc) from None
        return Found(fingerprint=self.prepared.code_package) if present else None

    def create(self) -> None:
        from flowc.runtime_shim.datastore import DatastoreError
        from flowc.targets.package import PackageError, upload_package

        try:
            stored = upload_package(self._store(), self.prepared.flow_file.resolve().parent,
                                    self.prepared.package_ir)
        except (PackageError, DatastoreError) as exc:
            raise datastore_errors("cannot upload the code package", exc) from None
        if stored.digest != self.prepared.code_package:  # the folder changed while deploying
            raise DeployError(f"the flow's folder changed while deploying (its package is now "
                              f"{stored.digest}, not {self.prepared.code_package}): deploy again")
        self.size = stored.size

    def update(self, found: Found) -> None:  # pragma: no cover - same digest, same content
        raise AssertionError("a content-addressed package is never updated")

    def describe(self, outcome: Outcome) -> str:
        if outcome is Outcome.CREATED:
            return f"code package {self.prepared.code_package}: uploaded to {self.datastore} " \
                   f"({self.size:,} bytes)"
        return f"code package {self.prepared.code_package}: already in {self.datastore}"
