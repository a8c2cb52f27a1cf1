"""Where the Airflow venv is, and the environment an Airflow process of the tests runs with.

The venv is separate from flowc's own: `tests/tools/install_airflow.sh` builds it in
`.tools/airflow-venv` (or `$FLOWC_AIRFLOW_VENV`). A test that needs it and does not find it
fails with the command that installs it: CI runs `tests/run.sh`, which always installs it, so a
missing venv is a broken setup, never a reason to skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALL = "tests/tools/install_airflow.sh"


def venv_dir() -> Path:
    return Path(os.environ.get("FLOWC_AIRFLOW_VENV") or ROOT / ".tools/airflow-venv")


def airflow_bin(name: str = "python") -> Path:
    """A program of the Airflow venv (`python`, `airflow`); fails the test when it is missing."""
    program = venv_dir() / "bin" / name
    if not program.exists():
        pytest.fail(f"the Airflow venv is missing ({program} not found): install it with "
                    f"`{INSTALL}` (tests/run.sh runs it before the suite)", pytrace=False)
    return program


def airflow_env(home: Path) -> dict[str, str]:
    """An Airflow process on SQLite in `home`: dags from `home/dags`, no examples, retries after
    a second by default. In `dag.test()` tasks write no log files: their output is in the
    worker's log (`harness.RunReport.log`). Nothing of the caller's Python setup leaks in
    (PYTHONPATH, an active venv), so the DAG files see only the Airflow venv."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("AIRFLOW") and key not in ("PYTHONPATH", "VIRTUAL_ENV",
                                                             "PYTHONHOME")}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY": "1",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
    })
    return env


_MIGRATED: dict[str, Path] = {}


def migrated_database(scratch: Path) -> Path:
    """An `airflow.db` after `airflow db migrate`, made once per test process (about 4 s) and
    copied into each batch's home; `scratch` is where the first call makes it."""
    if "db" not in _MIGRATED:
        home = scratch / "airflow-template-home"
        (home / "dags").mkdir(parents=True, exist_ok=True)
        done = subprocess.run([str(airflow_bin("airflow")), "db", "migrate"],
                              env=airflow_env(home), capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, f"airflow db migrate failed:\n{done.stdout}{done.stderr}"
        _MIGRATED["db"] = home / "airflow.db"
    return _MIGRATED["db"]


def new_home(workdir: Path, scratch: Path) -> Path:
    """A fresh AIRFLOW_HOME under `workdir` holding a migrated database and an empty dags
    folder."""
    home = workdir / "airflow-home"
    (home / "dags").mkdir(parents=True)
    shutil.copyfile(migrated_database(scratch), home / "airflow.db")
    return home
