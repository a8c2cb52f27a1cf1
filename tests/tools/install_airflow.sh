#!/usr/bin/env bash
# Install Airflow 3 and the cncf-kubernetes provider for the Airflow tests (tests/airflow/) into
# a project-local venv, separate from flowc's own .venv, from the pinned
# tests/tools/airflow-requirements.txt (a `pip freeze` of a fresh install, so every install gets
# the same versions). Idempotent: a stamp in the venv holds the hash of the requirements file and
# of the Python that built it, so a second run returns at once; a changed file rebuilds the venv.
#
#   tests/tools/install_airflow.sh          # venv in .tools/airflow-venv
#   FLOWC_AIRFLOW_VENV=/some/dir tests/tools/install_airflow.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-python3}"
VENV="${FLOWC_AIRFLOW_VENV:-.tools/airflow-venv}"
REQUIREMENTS=tests/tools/airflow-requirements.txt
STAMP="$VENV/flowc-requirements.sha256"

wanted="$({ cat "$REQUIREMENTS"; "$PYTHON" --version; } | sha256sum | cut -d' ' -f1)"
if [ -x "$VENV/bin/python" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$wanted" ]; then
    exit 0
fi

echo "install_airflow: building $VENV from $REQUIREMENTS" >&2
rm -rf "$VENV"
mkdir -p "$(dirname "$VENV")"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
# Import what the tests use, so a broken install fails here and not in the middle of a test.
"$VENV/bin/python" -c 'import airflow.sdk, airflow.providers.cncf.kubernetes.operators.pod'
echo "$wanted" > "$STAMP"
echo "install_airflow: done ($("$VENV/bin/python" -m pip show apache-airflow | sed -n 's/^Version: /apache-airflow /p'))" >&2
