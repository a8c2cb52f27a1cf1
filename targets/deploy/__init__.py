"""Deploying compiled flows to the orchestrators and starting runs there (`flowc deploy`,
`flowc trigger`), kept apart from compiling: one module per target (`argo`, `sfn`,
`airflow`), each turning a `Prepared` flow into a `Deployment` (plan.py: the code package
first, then the definition, then its schedule and triggers) and triggering a run.

Every module imports its client library (hera, boto3) inside its functions, so compiling
never imports them.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from flowc.targets.deploy.errors import DeployError, Unreachable

MODULES: dict[str, str] = {
    "argo": "flowc.targets.deploy.argo",
    "sfn": "flowc.targets.deploy.sfn",
    "airflow": "flowc.targets.deploy.airflow",
}
DEPLOY_TARGETS: tuple[str, ...] = tuple(MODULES)


def deployer(target: str) -> ModuleType:
    """The deploy module of `target` (with `deployment(prepared, environ)` and
    `trigger(prepared, params, environ)`)."""
    return importlib.import_module(MODULES[target])


__all__ = ["DEPLOY_TARGETS", "DeployError", "Unreachable", "deployer"]
