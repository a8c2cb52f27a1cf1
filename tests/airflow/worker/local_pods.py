"""The KubernetesPodOperator as a local process (test-only): the patched `execute` builds the
pod exactly as the operator does (`build_pod_request_obj`: env, resources, secrets, node
selector, tolerations, the XCom sidecar), then runs the base container's `command + args` on
this machine with the worker's environment plus the container's `env`, and returns
`/airflow/xcom/return.json` as the operator would (Airflow pushes it as `return_value`).

Each pod gets a private folder (`<pods_dir>/<dag>.<task>.<map_index>.<try>/`): every
`/airflow/xcom` path in the command, args and env values is rewritten into it, as a pod has its
own filesystem. The pod's manifest, argv and exit code are written beside it (`pod.json`) for the
tests to inspect. Env values from Kubernetes secrets or config maps cannot be resolved here and
are left out (recorded in `pod.json` under `unresolved_env`).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

XCOM_DIR = "/airflow/xcom"


def install(pods_dir: Path) -> None:
    """Replace the operator's `execute` for this process (sync and deferrable alike)."""
    from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator

    def execute(self: Any, context: Any) -> Any:
        return _run_pod(self, context, pods_dir)

    KubernetesPodOperator.execute = execute  # type: ignore[method-assign]


def _run_pod(operator: Any, context: Any, pods_dir: Path) -> Any:
    from airflow.sdk.exceptions import AirflowException
    from kubernetes.client import ApiClient

    ti = context["ti"]
    pod = operator.build_pod_request_obj(context, dry_run=True)
    [container] = [c for c in pod.spec.containers if c.name == operator.base_container_name]
    folder = pods_dir / f"{ti.dag_id}.{ti.task_id}.{ti.map_index}.{ti.try_number}"
    folder.mkdir(parents=True, exist_ok=True)
    private = str(folder) + XCOM_DIR
    Path(private).mkdir(parents=True, exist_ok=True)

    def local(text: str) -> str:
        return text.replace(XCOM_DIR, private)

    argv = [local(str(part)) for part in [*(container.command or []), *(container.args or [])]]
    env, unresolved = {}, []
    for variable in container.env or []:
        if variable.value_from is not None:
            unresolved.append(variable.name)
        else:
            env[variable.name] = local(variable.value or "")
    manifest = {"pod": ApiClient().sanitize_for_serialization(pod), "argv": argv, "env": env,
                "unresolved_env": unresolved, "exit_code": None}
    if not argv:
        raise AirflowException(f"pod of {ti.task_id} has no command")
    process = subprocess.Popen(argv, env={**os.environ, **env}, cwd=folder,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True, text=True, errors="replace")
    try:
        assert process.stdout is not None
        for line in process.stdout:
            operator.log.info("[pod] %s", line.rstrip("\n"))
        code = process.wait()
    except BaseException:  # execution_timeout (AirflowTaskTimeout) or a kill: stop the pod
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    finally:
        manifest["exit_code"] = process.returncode
        (folder / "pod.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    if code != 0:
        raise AirflowException(f"Pod {pod.metadata.name} returned a failure: exit code {code}")
    if not operator.do_xcom_push:
        return None
    result_file = Path(private) / "return.json"
    if not result_file.exists():
        raise AirflowException(f"Pod {pod.metadata.name} wrote no {XCOM_DIR}/return.json")
    text = result_file.read_text()
    return json.loads(text) if text.strip() else None
