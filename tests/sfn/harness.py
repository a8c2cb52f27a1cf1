"""Execute an Amazon States Language definition locally: one Node 22 process runs the whole
execution with aws-local-stepfunctions 3 (tests/sfn/runner.mjs), and every Batch/ECS Task runs
its container overrides' command as a local process against the S3 endpoint (moto on
127.0.0.1), which the `aws-sdk:s3:getObject` states read too.

`run_execution(definition, input, execution_name=..., s3_endpoint=..., workdir=...)` returns an
`Execution`: its status, output or error and cause, every task process that ran (state,
command, exit code, the tail of its stderr) and the retry/catch/failure events.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sfn.tools import MODULES, require_node_tools

RUNNER = Path(__file__).with_name("runner.mjs")
FORK_SERVER = Path(__file__).with_name("forkserver.py")


@dataclass(frozen=True, slots=True)
class TaskRun:
    """One local process started for a Batch or ECS Task state."""

    state: str
    kind: str  # "batch" or "ecs"
    command: tuple[str, ...]
    exit_code: int
    seconds: float
    stdout: str
    stderr: str

    def option(self, name: str) -> str | None:
        """The value after `name` in the command (`--index-path` -> `,3`), or None."""
        if name not in self.command:
            return None
        return self.command[self.command.index(name) + 1]


@dataclass(frozen=True, slots=True)
class Execution:
    status: str  # SUCCEEDED, FAILED, UNSUPPORTED (a resource the harness cannot run), INVALID
    output: Any
    error: str | None
    cause: str | None
    tasks: tuple[TaskRun, ...]
    events: tuple[dict[str, Any], ...]

    def runs_of(self, state: str) -> list[TaskRun]:
        return [task for task in self.tasks if task.state == state]

    def explain(self) -> str:
        """The error and the stderr of failed processes, for assertion messages."""
        failed = [f"{task.state} {task.option('--index-path') or ''} exit {task.exit_code}: "
                  f"{task.stderr[-600:]}" for task in self.tasks if task.exit_code]
        return "\n".join([f"{self.status} {self.error}: {str(self.cause)[:2000]}", *failed])


def task_environment(s3_endpoint: str, workdir: Path) -> dict[str, str]:
    """What a Batch/ECS container would have: no inherited test environment, fake credentials
    and the S3 endpoint through AWS_ENDPOINT_URL (the shim reads it)."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(workdir),
        "LANG": "C.UTF-8",
        "TMPDIR": str(workdir),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(workdir / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(workdir / "no-aws-credentials"),
        "AWS_ENDPOINT_URL": s3_endpoint,
    }


def run_execution(definition: dict[str, Any], execution_input: Any, *, execution_name: str,
                  s3_endpoint: str, workdir: Path, python: str = sys.executable,
                  env: dict[str, str] | None = None, max_processes: int = 4,
                  retry_interval_ms: int | None = 0, state_machine_name: str = "flowc-test",
                  fork_server: bool = False, timeout: float = 600.0) -> Execution:
    """Run one execution to its end. `python` replaces a command's argv[0] `python`;
    `retry_interval_ms` replaces every Retry's wait (None keeps the definition's intervals);
    `max_processes` bounds the task processes running at once (Map items wait for a slot);
    `fork_server` forks each shim task from one warm interpreter (tests/sfn/forkserver.py)
    instead of starting a new one: same argv, environment and working directory."""
    node = require_node_tools()
    workdir.mkdir(parents=True, exist_ok=True)
    job = {
        "definition": definition, "input": execution_input, "executionName": execution_name,
        "stateMachineName": state_machine_name, "s3Endpoint": s3_endpoint.rstrip("/"),
        "python": python, "env": {**task_environment(s3_endpoint, workdir), **(env or {})},
        "workdir": str(workdir), "maxProcesses": max_processes,
        "retryIntervalMs": retry_interval_ms, "modules": str(MODULES),
        "forkServer": str(FORK_SERVER) if fork_server else None,
    }
    job_file = workdir / f"sfn-job-{execution_name}.json"
    job_file.write_text(json.dumps(job), encoding="utf-8")
    done = subprocess.run([str(node), str(RUNNER), str(job_file)], capture_output=True,
                          text=True, timeout=timeout, cwd=workdir)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"the SFN harness failed (exit {done.returncode}): "
                           f"{done.stderr[-3000:]}")
    result = json.loads(lines[-1])
    tasks = tuple(TaskRun(state=t["state"], kind=t["kind"], command=tuple(t["command"]),
                          exit_code=t["exitCode"], seconds=t["ms"] / 1000.0,
                          stdout=t["stdout"], stderr=t["stderr"]) for t in result["tasks"])
    return Execution(status=result["status"], output=result.get("output"),
                     error=result.get("error"), cause=result.get("cause"), tasks=tasks,
                     events=tuple(result["events"]))
