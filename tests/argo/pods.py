"""Leaf nodes: one container or script template run as local processes, with Argo's retry
strategy, `activeDeadlineSeconds`/`timeout` kills and output parameters read from files.

Each pod gets a private directory; every path under `path_prefix` (default `/tmp`) in the
command, args, env values, workingDir and output paths is rewritten into it, because in Argo
each pod has its own filesystem while here all pods share this machine.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argo.exprlang import evaluate_bool
from argo.model import ERROR, FAILED, SUCCEEDED, Attempt, NodeResult
from argo.variables import UnsupportedFeature, substitute_all

# Fields that only place or decorate a pod in Kubernetes: accepted and ignored here.
IGNORED_TEMPLATE_FIELDS = {
    "name",
    "metadata",
    "nodeSelector",
    "tolerations",
    "affinity",
    "serviceAccountName",
    "automountServiceAccountToken",
    "securityContext",
    "priorityClassName",
    "schedulerName",
    "podSpecPatch",
    "metrics",
    "annotations",
}
IGNORED_CONTAINER_FIELDS = {
    "name",
    "image",
    "imagePullPolicy",
    "envFrom",
    "resources",
    "securityContext",
}
LEAF_FIELDS = {
    "container",
    "script",
    "inputs",
    "outputs",
    "retryStrategy",
    "activeDeadlineSeconds",
    "timeout",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class RunContext:
    """Settings and shared limits of one run."""

    workflow_name: str
    workdir: Path
    env: dict[str, str]
    path_prefix: str
    shared_paths: tuple[str, ...]  # host paths under path_prefix that stay shared (workdir first)
    time_scale: float
    pod_slots: threading.BoundedSemaphore


def parse_duration(text: Any, what: str) -> float:
    """Argo's ParseStringToDuration: bare integers are seconds, else a Go duration ('1m30s')."""
    value = str(text).strip()
    if re.fullmatch(r"-?\d+", value):
        return float(value)
    units = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", value)
    if not parts or "".join(n + u for n, u in parts) != value:
        raise ValueError(f"unable to parse {what} {value!r} as a duration")
    return sum(float(n) * units[u] for n, u in parts)


def pod_name(workflow_name: str, node_name: str, template: str) -> str:
    """A stable pod name in Argo's v2 shape: `<workflow>-<template>-<hash of the node name>`."""
    return f"{workflow_name}-{template}-{zlib.crc32(node_name.encode())}"


def _rewrite_paths(node: Any, prefix: str, pod_dir: str, keep: tuple[str, ...]) -> Any:
    pattern = re.compile(r"(?<![\w./-])" + re.escape(prefix) + r"(?=/|\b|$)")

    def rewrite(text: str) -> str:
        def one(match: re.Match[str]) -> str:
            shared = any(text.startswith(path, match.start()) for path in keep)
            return match.group(0) if shared else pod_dir

        return pattern.sub(one, text)

    if isinstance(node, str):
        return rewrite(node)
    if isinstance(node, list):
        return [_rewrite_paths(v, prefix, pod_dir, keep) for v in node]
    if isinstance(node, dict):
        return {k: _rewrite_paths(v, prefix, pod_dir, keep) for k, v in node.items()}
    return node


def _check_supported(template: dict[str, Any]) -> str:
    name = template.get("name", "?")
    for key in template:
        if key not in LEAF_FIELDS | IGNORED_TEMPLATE_FIELDS:
            raise UnsupportedFeature(f"template {name!r}: field {key!r} is not supported")
    kind = "script" if "script" in template else "container"
    for key in template[kind]:
        if key not in IGNORED_CONTAINER_FIELDS | {"command", "args", "env", "workingDir", "source"}:
            raise UnsupportedFeature(f"template {name!r}: {kind}.{key} is not supported")
    for key in ("artifacts",):
        if template.get("inputs", {}).get(key) or template.get("outputs", {}).get(key):
            raise UnsupportedFeature(f"template {name!r}: {key} are not supported")
    for param in template.get("outputs", {}).get("parameters", []):
        if set(param.get("valueFrom", {})) - {"path", "default"} or "valueFrom" not in param:
            raise UnsupportedFeature(
                f"template {name!r}: output parameter {param.get('name')!r} needs valueFrom.path"
            )
    return kind


def _argv(kind: str, body: dict[str, Any], pod_dir: Path, name: str) -> list[str]:
    command = list(body.get("command") or [])
    if not command:
        raise UnsupportedFeature(
            f"template {name!r}: no command (an image's own entrypoint cannot run locally)"
        )
    if kind == "script":
        script = pod_dir / "script"
        script.write_text(body.get("source", ""), encoding="utf-8")
        return [*command, str(script)]
    return [*command, *[str(a) for a in body.get("args") or []]]


def _failed(
    retry: int, phase: str, code: int | None, logs: str, message: str
) -> tuple[Attempt, dict[str, str], str]:
    return Attempt(retry=retry, phase=phase, exit_code=code, logs=logs, message=message), {}, ""


def _run_once(
    ctx: RunContext,
    template: dict[str, Any],
    kind: str,
    pod_dir: Path,
    deadline: float | None,
    retry: int,
) -> tuple[Attempt, dict[str, str], str]:
    body = template[kind]
    name = template.get("name", "?")
    env = dict(os.environ) | ctx.env
    for var in body.get("env") or []:
        if "valueFrom" in var:
            raise UnsupportedFeature(
                f"template {name!r}: env {var['name']!r} valueFrom is not supported"
            )
        env[var["name"]] = str(var.get("value", ""))
    cwd = Path(body.get("workingDir") or pod_dir)
    cwd.mkdir(parents=True, exist_ok=True)
    argv = _argv(kind, body, pod_dir, name)
    with ctx.pod_slots:
        started = time.monotonic()
        process = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            stdout, stderr = process.communicate(
                timeout=None if deadline is None else max(deadline - started, 0.0)
            )
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            logs = stdout.decode(errors="replace") + stderr.decode(errors="replace")
            message = "Pod was active on the node longer than the specified deadline"
            return _failed(retry, FAILED, process.returncode, logs, message)
    logs = stdout.decode(errors="replace") + stderr.decode(errors="replace")
    if process.returncode != 0:
        message = f"Error (exit code {process.returncode})"
        return _failed(retry, FAILED, process.returncode, logs, message)
    outputs: dict[str, str] = {}
    for param in template.get("outputs", {}).get("parameters", []):
        source = param["valueFrom"]
        path = Path(source["path"])
        if path.is_file():
            outputs[param["name"]] = path.read_text(encoding="utf-8").removesuffix("\n")
        elif "default" in source:
            outputs[param["name"]] = str(source["default"])
        else:
            message = f"open {param['valueFrom']['path']}: no such file or directory"
            return _failed(retry, ERROR, 0, logs, message)
    result = stdout.decode(errors="replace").removesuffix("\n")
    return Attempt(retry=retry, phase=SUCCEEDED, exit_code=0, logs=logs), outputs, result


def _should_retry(
    strategy: dict[str, Any] | None, attempt: Attempt, attempts: int, seconds: float
) -> bool:
    """Argo's decision after a failed attempt (retries.md): the limit, the policy (OnFailure by
    default, Always when an expression is given without one) and the expression, all true."""
    if strategy is None:
        return False
    expression = strategy.get("expression")
    policy = strategy.get("retryPolicy", "Always" if expression else "OnFailure")
    retry_on = {"Always": {FAILED, ERROR}, "OnFailure": {FAILED}, "OnError": {ERROR}}
    if policy not in retry_on:
        raise UnsupportedFeature(f"retryStrategy.retryPolicy {policy!r}")
    limit = strategy.get("limit")
    if not (attempt.phase in retry_on[policy] and (limit is None or attempts <= int(limit))):
        return False
    if not expression:
        return True
    last_retry = {
        "lastRetry.exitCode": "-1" if attempt.exit_code is None else str(attempt.exit_code),
        "lastRetry.status": attempt.phase,
        "lastRetry.duration": str(int(seconds)),
        "lastRetry.message": attempt.message,
    }

    def lookup(name: str) -> str:
        if name not in last_retry:
            raise ValueError(f"retryStrategy.expression {expression!r}: unknown variable {name!r}")
        return last_retry[name]

    return evaluate_bool(str(expression), lookup)


def run_pod(
    ctx: RunContext, template: dict[str, Any], node_name: str, scope: dict[str, str]
) -> NodeResult:
    """Run a resolved leaf template (retries included) and return its node."""
    kind = _check_supported(template)
    name = template.get("name", "?")
    strategy = template.get("retryStrategy")
    backoff = (strategy or {}).get("backoff") or {}
    node_started = time.monotonic()
    timeout = template.get("timeout")
    node_deadline = node_started + parse_duration(timeout, "timeout") if timeout else None
    attempts: list[Attempt] = []
    outputs: dict[str, str] = {}
    result = ""
    while True:
        retry = len(attempts)
        attempt_name = node_name if strategy is None else f"{node_name}({retry})"
        pod = pod_name(ctx.workflow_name, attempt_name, name)
        pod_dir = ctx.workdir / "pods" / pod
        pod_dir.mkdir(parents=True, exist_ok=True)
        per_attempt = scope | {"retries": str(retry), "pod.name": pod}
        resolved = substitute_all(template, per_attempt, where=f" in template {name!r}")
        resolved = _rewrite_paths(resolved, ctx.path_prefix, str(pod_dir), ctx.shared_paths)
        deadline = node_deadline
        if "activeDeadlineSeconds" in resolved:
            own = time.monotonic() + float(resolved["activeDeadlineSeconds"])
            deadline = own if deadline is None else min(deadline, own)
        started = time.monotonic()
        attempt, outputs, result = _run_once(ctx, resolved, kind, pod_dir, deadline, retry)
        attempts.append(attempt)
        seconds = time.monotonic() - started
        if attempt.phase == SUCCEEDED or not _should_retry(
            strategy, attempt, len(attempts), seconds
        ):
            break
        if backoff:
            wait = parse_duration(backoff["duration"], "backoff.duration")
            factor = int(backoff.get("factor") or 0)
            if factor > 0:
                wait *= factor ** (len(attempts) - 1)
            if "maxDuration" in backoff:
                limit = (
                    node_started
                    + parse_duration(backoff["maxDuration"], "backoff.maxDuration") * ctx.time_scale
                )
                if time.monotonic() + wait * ctx.time_scale > limit:
                    break
            time.sleep(wait * ctx.time_scale)
    last = attempts[-1]
    return NodeResult(
        name=node_name,
        template=name,
        phase=last.phase,
        kind="Pod",
        exit_code=last.exit_code,
        parameters=tuple(sorted(outputs.items())),
        result=result if last.phase == SUCCEEDED else None,
        message=last.message,
        attempts=tuple(attempts),
    )
