"""Shared test configuration: CI refuses snapshot updates; S3 fixtures come from s3_server."""

from __future__ import annotations

import os

import pytest
from s3_server import *  # noqa: F403  (fixtures: the moto S3 server on 127.0.0.1)


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("CI") and config.getoption("--snapshot-update", default=False):
        raise pytest.UsageError(
            "golden files cannot be regenerated in CI: run `pytest --snapshot-update` locally, "
            "review the diff and commit it"
        )
