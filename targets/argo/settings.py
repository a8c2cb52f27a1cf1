"""The Argo target's settings (`[tool.flowc.argo]`, `--set`, `FLOWC_ARGO_*`; see
flowc.targets.settings): where tasks run and what they may use."""

from __future__ import annotations

from dataclasses import dataclass

from flowc.targets.settings import CommonSettings, setting


@dataclass(frozen=True, slots=True, kw_only=True)
class ArgoSettings(CommonSettings):
    image: str = setting(help="the container image every task runs in (flowc installed)")
    datastore: str = setting(help="the datastore every task reads and writes: s3://bucket/prefix")
    namespace: str | None = setting(default=None, help="the Kubernetes namespace to deploy to")
    service_account: str | None = setting(default=None,
                                          help="the service account the pods run as")
    image_pull_policy: str | None = setting(default=None,
                                            help="Always, IfNotPresent or Never")
    image_pull_secrets: tuple[str, ...] = setting(default=(),
                                                  help="secrets for pulling the image")
    max_parallel: int | None = setting(default=None,
                                       help="the most tasks of one run that run at once")
    python: str = setting(default="python", help="the Python in the image that runs the shim")
    code_package: str | None = setting(
        default=None, help="the code package's digest (flowc compile computes it from the "
                           "flow's folder; deploy uploads it)")
    event_source: str = setting(default="flowc",
                                help="the Argo Events EventSource the Sensor listens to")
    # flowc deploy / trigger / resume (targets/deploy/argo.py); the token is never a setting
    # (`flowc config` prints settings): $ARGO_TOKEN or the file named here.
    server: str | None = setting(
        default=None, help="the Argo Server URL flowc deploy and trigger call "
                           "(https://host:2746)")
    verify_tls: bool = setting(default=True,
                               help="verify the Argo Server's TLS certificate")
    token_file: str | None = setting(
        default=None, help="a file holding the Argo Server bearer token (else $ARGO_TOKEN)")
