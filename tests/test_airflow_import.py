"""Every golden `airflow.py` imports on Airflow 3 with `DagBag`, with no import errors, each
defining a DAG, and the schedule's timezone is the one Airflow uses; the goldens are placed as a
user deploys them (`<dags>/<example>/airflow.py`, the file name they are written under)."""

from __future__ import annotations

from pathlib import Path

import pytest
from airflow.harness import run_batch

ROOT = Path(__file__).resolve().parent.parent
GOLDENS = sorted((ROOT / "golden").glob("*/airflow.py"))

pytestmark = pytest.mark.slow


def test_every_golden_imports_with_dagbag(tmp_path: Path,
                                          tmp_path_factory: pytest.TempPathFactory) -> None:
    assert GOLDENS, "no golden/*/airflow.py"
    files = {f"{golden.parent.name}/airflow.py": golden.read_bytes() for golden in GOLDENS}
    result = run_batch(files, tmp_path / "import", tmp_path_factory.getbasetemp())
    assert result.import_errors == {}
    defined = {Path(dag["fileloc"]).parent.name for dag in result.dags.values()}
    assert defined == {golden.parent.name for golden in GOLDENS}
    for dag_id, dag in result.dags.items():
        assert dag["tasks"], dag_id
        assert dag["catchup"] is False, dag_id
    # @schedule(cron="30 6 * * 1-5", timezone="Europe/Paris"), as Airflow reads it
    [scheduled] = [d for d in result.dags.values() if "/decorators/" in d["fileloc"]]
    assert (scheduled["schedule"], scheduled["timezone"]) == ("30 6 * * 1-5", "Europe/Paris")
    assert scheduled["first_run"] == "2024-01-01T05:30:00+00:00"  # Monday 06:30 in Paris (CET)
