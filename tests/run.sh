#!/usr/bin/env bash
# Install everything the tests need into project-local folders, then run the whole suite.
# Safe to re-run: each step is a no-op when its folder is already up to date.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
bash tests/tools/install_node_tools.sh
bash tests/tools/install_airflow.sh

exec .venv/bin/python -P -m pytest -n 2 "$@"
