"""S3 faults without surprises (issue 12, defects 2 and 3): a fault proxy (`faultproxy.py`)
between flowc and moto freezes, drops, resets or slows requests. A frozen endpoint gives one
line naming it within the configured deadline and exit 3, and leaves no record; SIGTERM ends a
runner blocked in an S3 write; a connection dropped mid-save fails the task cleanly (one line,
exit 3, no traceback) and `flowc resume` completes once the proxy heals; a slow endpoint that
still answers lets the run complete."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from faultproxy import FaultProxy
from flowc.runtime_shim.datastore.base import DatastoreError
from flowc.runtime_shim.datastore.s3_limits import S3Limits
from test_local_run import FLOWC, ROOT

pytestmark = pytest.mark.slow
HELLO = ROOT / "examples" / "hello.py"
SHORT = {"FLOWC_S3_CONNECT_TIMEOUT": "1", "FLOWC_S3_READ_TIMEOUT": "1",
         "FLOWC_S3_MAX_ATTEMPTS": "2", "FLOWC_S3_DEADLINE": "3"}


@pytest.fixture
def proxy(aws_env: str) -> Iterator[FaultProxy]:
    with FaultProxy(aws_env) as running:
        yield running


def _env(proxy: FaultProxy, **extra: str) -> dict[str, str]:
    return {**os.environ, **SHORT, "FLOWC_S3_ENDPOINT_URL": proxy.url,
            "FLOWC_LOCAL_LAUNCHER": "subprocess", **extra}


def _flowc(proxy: FaultProxy, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*FLOWC, *args], capture_output=True, text=True, timeout=60,
                          env=_env(proxy, **extra))


def _keys(s3_client: object, bucket: str) -> list[str]:
    reply = s3_client.list_objects_v2(Bucket=bucket)  # type: ignore[attr-defined]
    return [item["Key"] for item in reply.get("Contents", ())]


def test_frozen_endpoint_one_line_within_the_deadline(proxy: FaultProxy, s3_url: str,
                                                      s3_client: object, s3_bucket: str) -> None:
    proxy.fault = "freeze"
    started = time.monotonic()
    result = _flowc(proxy, "run", str(HELLO), "--datastore", s3_url)
    elapsed = time.monotonic() - started
    assert result.returncode == 3, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and proxy.url in lines[0], result.stderr
    assert elapsed < 12, elapsed  # deadline 3 s, plus the CLI's own start
    assert not [key for key in _keys(s3_client, s3_bucket) if key.endswith(".json")]


def test_sigterm_ends_a_runner_blocked_in_an_s3_write(proxy: FaultProxy, s3_url: str,
                                                      s3_client: object, s3_bucket: str) -> None:
    proxy.fault, proxy.trigger = "freeze", (b"PUT ", b"run.json")
    slow = {"FLOWC_S3_READ_TIMEOUT": "60", "FLOWC_S3_DEADLINE": "120"}
    runner = subprocess.Popen([*FLOWC, "run", str(HELLO), "--datastore", s3_url],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=_env(proxy, **slow))
    try:
        deadline = time.monotonic() + 20
        while not proxy.faulted and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proxy.faulted, "the runner never tried to write run.json"
        runner.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        _, stderr = runner.communicate(timeout=10)
        assert time.monotonic() - sent < 5
        assert runner.returncode == 130, stderr
        assert "Traceback" not in stderr
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
    assert not [key for key in _keys(s3_client, s3_bucket) if key.endswith("run.json")]


def test_dropped_save_fails_cleanly_and_resume_completes(proxy: FaultProxy, s3_url: str) -> None:
    proxy.fault, proxy.trigger = "drop", (b"PUT ", b"/start/", b"record.json")
    failed = _flowc(proxy, "run", str(HELLO), "--datastore", s3_url)
    assert failed.returncode == 3, failed.stdout + failed.stderr
    assert "Traceback" not in failed.stdout + failed.stderr
    assert "botocore" not in failed.stdout + failed.stderr
    run_id = next(line.split()[1].split("/")[1] for line in failed.stdout.splitlines()
                  if line.startswith("run "))
    proxy.heal()
    resumed = _flowc(proxy, "resume", f"HelloFlow/{run_id}", "--datastore", s3_url)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr


def test_reset_connections_fail_in_one_line(proxy: FaultProxy, s3_url: str) -> None:
    proxy.fault = "reset"
    result = _flowc(proxy, "run", str(HELLO), "--datastore", s3_url)
    assert result.returncode == 3, result.stdout + result.stderr
    assert len(result.stderr.splitlines()) == 1 and proxy.url in result.stderr


def test_slow_endpoint_still_completes(proxy: FaultProxy, s3_url: str) -> None:
    proxy.fault, proxy.delay = "slow", 0.02
    result = _flowc(proxy, "run", str(HELLO), "--datastore", s3_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert proxy.faulted


def test_limits_come_from_the_environment() -> None:
    assert S3Limits.from_env({}) == S3Limits(connect_timeout=5, read_timeout=20,
                                             max_attempts=4, deadline=60)
    limits = S3Limits.from_env(SHORT)
    assert (limits.connect_timeout, limits.read_timeout, limits.max_attempts,
            limits.deadline) == (1, 1, 2, 3)
    config = limits.botocore_config(10)
    assert config.retries == {"total_max_attempts": 2, "mode": "standard"}
    assert (config.connect_timeout, config.read_timeout) == (1, 1)
    with pytest.raises(DatastoreError, match="FLOWC_S3_DEADLINE='soon'"):
        S3Limits.from_env({"FLOWC_S3_DEADLINE": "soon"})


def test_the_deadline_bounds_what_the_timeouts_would_not(proxy: FaultProxy, s3_url: str) -> None:
    proxy.fault = "freeze"
    started = time.monotonic()
    result = _flowc(proxy, "runs", "--datastore", s3_url,
                    FLOWC_S3_READ_TIMEOUT="60", FLOWC_S3_DEADLINE="2")
    assert time.monotonic() - started < 10
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stderr.splitlines() == [
        f"flowc: error: S3 endpoint {proxy.url} did not answer within 2s ({s3_url}/; the "
        "deadline is FLOWC_S3_DEADLINE)"]


def test_an_invalid_endpoint_is_said_once(aws_env: str, s3_url: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from flowc.runtime_shim.datastore import open_datastore

    monkeypatch.setenv("FLOWC_S3_ENDPOINT_URL", "not-a-url")
    with pytest.raises(DatastoreError) as caught:
        open_datastore(s3_url).list_children("HelloFlow/runs")
    message = str(caught.value)
    assert message.count("S3 error on") == 1 and "DatastoreError" not in message, message


def test_s3_lost_mid_run_is_one_line_per_task_and_exit_3(proxy: FaultProxy, s3_url: str) -> None:
    proxy.fault, proxy.trigger = "reset", (b"GET ", b"/start/t/record.json")  # hello's input
    result = _flowc(proxy, "run", str(HELLO), "--datastore", s3_url)
    output = result.stdout + result.stderr
    assert result.returncode == 3, output
    assert "Traceback" not in output and "  File " not in output, output
    failed = [line for line in result.stdout.splitlines() if line.startswith("hello failed")]
    assert len(failed) == 1 and "infrastructure error: cannot reach S3 endpoint" in failed[0]


def test_code_package_upload_past_the_deadline_exits_3(proxy: FaultProxy, s3_url: str) -> None:
    proxy.fault, proxy.trigger = "freeze", (b"PUT ", b"/code-packages/")
    result = _flowc(proxy, "run", str(HELLO), "--datastore", s3_url, FLOWC_S3_DEADLINE="2")
    assert result.returncode == 3, result.stdout + result.stderr
    assert len(result.stderr.splitlines()) == 1 and "did not answer within 2s" in result.stderr


def test_s3_limits_in_pyproject_bound_a_local_run(proxy: FaultProxy, s3_url: str,
                                                   tmp_path: Path) -> None:
    """The limits come through the settings layer too: `[tool.flowc]` of the flow's
    pyproject.toml, with none of the FLOWC_S3_* variables set."""
    flow = tmp_path / "hello.py"
    flow.write_bytes(HELLO.read_bytes())
    (tmp_path / "pyproject.toml").write_text(
        "[tool.flowc]\ns3_connect_timeout = 1\ns3_read_timeout = 1\ns3_max_attempts = 2\n"
        "s3_deadline = 3\n")
    proxy.fault = "freeze"
    env = {key: value for key, value in _env(proxy).items() if key not in SHORT}
    started = time.monotonic()
    result = subprocess.run([*FLOWC, "run", str(flow), "--datastore", s3_url],
                            capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 3, result.stdout + result.stderr
    assert len(result.stderr.splitlines()) == 1 and "2 attempts" in result.stderr, result.stderr
    assert time.monotonic() - started < 12
