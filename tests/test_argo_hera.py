"""A second validator for the Argo output: hera's models (generated from Argo's own API
types). hera accepts and drops unknown fields, so "unknown fields forbidden" is checked as a
round trip: every golden document, parsed by hera and dumped again, is exactly what we wrote."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
GOLDENS = sorted(ROOT.glob("golden/*/argo.yaml"))


def models() -> dict[str, Any]:
    from hera.events.models import Sensor
    from hera.workflows.models import CronWorkflow, WorkflowTemplate

    return {"WorkflowTemplate": WorkflowTemplate, "CronWorkflow": CronWorkflow, "Sensor": Sensor}


def _plain(value: Any) -> Any:
    """YAML scalars as Argo's Go types read them (an IntOrString 3 and "3" are one value)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _sensor_as_hera_keeps_it(document: dict[str, Any]) -> dict[str, Any]:
    """hera's events models leave out the type fields and keep a trigger's embedded resource
    opaque (the strict schema check validates that Workflow instead)."""
    kept = {key: value for key, value in document.items() if key not in ("apiVersion", "kind")}
    for trigger in kept["spec"]["triggers"]:
        trigger["template"]["argoWorkflow"]["source"]["resource"] = {}
    return kept


@pytest.mark.parametrize("golden", GOLDENS, ids=[path.parent.name for path in GOLDENS])
def test_hera_reads_every_document_and_drops_nothing(golden: Path) -> None:
    kinds = models()
    for document in yaml.safe_load_all(golden.read_text()):
        model = kinds[document["kind"]].model_validate(document)
        again = model.model_dump(by_alias=True, exclude_none=True, mode="json")
        if document["kind"] == "Sensor":
            document = _sensor_as_hera_keeps_it(document)
        assert _plain(again) == _plain(document), f"{golden}: {document.get('kind')}"


def test_the_round_trip_catches_an_unknown_field() -> None:
    document = next(yaml.safe_load_all((ROOT / "golden/hello/argo.yaml").read_text()))
    document["spec"]["templates"][0]["bogus"] = 1
    model = models()["WorkflowTemplate"].model_validate(document)
    assert _plain(model.model_dump(by_alias=True, exclude_none=True, mode="json")) != \
        _plain(document)
