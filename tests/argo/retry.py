"""`argo retry` on the local executor: a Failed (or Error) workflow runs again under the same
name, so the same `{{workflow.name}}`, with the same template and arguments. As Argo's retry does
without `--restart-successful`, a node that Succeeded (or was Skipped) and has no failed node
under it is kept, neither run again nor its pod touched, and its outputs feed the nodes after
it; every other node (Failed, Error, Omitted, and the DAG/steps/loop nodes above a failure) is
reset, its pods deleted, and run again when the controller reaches it.

Not modelled: `--restart-successful`, `--node-field-selector` and `-p` (new parameter values).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from argo.executor import run_workflow
from argo.model import ERROR, FAILED, SKIPPED, SUCCEEDED, NodeResult, Result
from argo.pods import pod_name

CHILD_MARKS = (".", "(", "[")  # how a child's node name continues its parent's


def _under(name: str, parent: str) -> bool:
    return name.startswith(parent) and len(name) > len(parent) and name[len(parent)] in CHILD_MARKS


def kept_nodes(previous: Result) -> dict[str, NodeResult]:
    """The nodes `argo retry` keeps: finished well, with no failed node anywhere below."""
    failed = [name for name, node in previous.nodes.items() if node.phase in (FAILED, ERROR)]
    return {
        name: node
        for name, node in previous.nodes.items()
        if node.phase in (SUCCEEDED, SKIPPED) and not any(_under(f, name) for f in failed)
    }


def _delete_pods(previous: Result, reset: list[NodeResult]) -> None:
    """Argo deletes the pods of the nodes it resets; here, their pod directories."""
    for node in reset:
        if node.kind != "Pod":
            continue
        names = [node.name] + [f"{node.name}({a.retry})" for a in node.attempts]
        for name in names:
            pod = pod_name(previous.workflow_name, name, node.template)
            shutil.rmtree(Path(previous.workdir, "pods", pod), ignore_errors=True)


def retry_workflow(previous: Result, *, time_scale: float = 1.0, max_pods: int = 8) -> Result:
    """`argo retry <workflow>`: the result of running `previous`'s workflow again."""
    if previous.phase not in (FAILED, ERROR):
        raise ValueError(f"workflow must be Failed/Error to retry, not {previous.phase}")
    submitted = previous.submission
    if submitted is None:
        raise ValueError("this result does not say what was submitted (run_workflow made it?)")
    kept = kept_nodes(previous)
    _delete_pods(previous, [node for name, node in previous.nodes.items() if name not in kept])
    return run_workflow(
        submitted.document,
        submitted.arguments,
        workdir=previous.workdir,
        env=submitted.env,
        templates=submitted.templates,
        path_prefix=submitted.path_prefix,
        shared_paths=submitted.shared_paths,
        time_scale=time_scale,
        max_pods=max_pods,
        retry_of=(previous.workflow_name, kept),
    )
