"""Airflow test harness: runs DAG files on a real Airflow 3 (the project-local venv that
tests/tools/install_airflow.sh builds) in one worker process per batch. See README.md."""
