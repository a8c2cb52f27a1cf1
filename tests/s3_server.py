"""S3 test fixtures: a moto server subprocess on 127.0.0.1 and a fresh bucket per test.

`tests/conftest.py` imports these with `from s3_server import *`. Nothing here talks to the
internet: the endpoint is always http://127.0.0.1:<free port>, and the fake credentials and
region are set with monkeypatch so they never leak into other tests.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = ["aws_env", "moto_server", "s3_bucket", "s3_client", "s3_url"]

_STARTUP_TIMEOUT = 30.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_command(port: int) -> list[str]:
    script = Path(sys.executable).with_name("moto_server")
    if script.exists():
        return [str(script), "-H", "127.0.0.1", "-p", str(port)]
    found = shutil.which("moto_server")
    if found:
        return [found, "-H", "127.0.0.1", "-p", str(port)]
    return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + _STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto_server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto_server did not answer on {url} within {_STARTUP_TIMEOUT}s")


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """Start moto's S3 server on 127.0.0.1 for the session; yield its endpoint URL."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    process = subprocess.Popen(
        _server_command(port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        _wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def aws_env(moto_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """Fake credentials, region and the moto endpoint in the environment; yield the endpoint."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("FLOWC_S3_ENDPOINT_URL", moto_server)
    return moto_server


@pytest.fixture
def s3_client(aws_env: str) -> object:
    """A boto3 S3 client for the moto server (for arranging and inspecting tests)."""
    import boto3

    return boto3.client("s3", endpoint_url=aws_env, region_name="us-east-1")


@pytest.fixture
def s3_bucket(s3_client: object) -> str:
    """A fresh, empty bucket on the moto server; yields its name."""
    name = f"flowc-test-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=name)  # type: ignore[attr-defined]
    return name


@pytest.fixture
def s3_url(s3_bucket: str) -> str:
    """An s3:// datastore URL with a prefix in a fresh bucket."""
    return f"s3://{s3_bucket}/datastore"
