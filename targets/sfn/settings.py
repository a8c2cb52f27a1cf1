"""The Step Functions target's settings (`[tool.flowc.sfn]`, `--set`, `FLOWC_SFN_*`; see
flowc.targets.settings): where tasks run (AWS Batch or ECS), the datastore every state reads
outputs from, how foreach fans out, and what the EventBridge schedule needs.

Checked as a whole when resolved: each problem is one line of one SettingsError."""

from __future__ import annotations

from dataclasses import dataclass

from flowc.targets.settings import CommonSettings, SettingsError, setting

COMPUTES = ("batch", "ecs")
MAP_MODES = ("auto", "inline", "distributed")
MAP_ITEMS = ("state", "s3")
LAUNCH_TYPES = ("FARGATE", "EC2", "EXTERNAL")


@dataclass(frozen=True, slots=True, kw_only=True)
class SfnSettings(CommonSettings):
    datastore: str = setting(help="the datastore every task reads and writes, and where the "
                                  "state machine reads outputs: s3://bucket/prefix")
    compute: str = setting(default="batch", help="what runs a task: batch (AWS Batch) or ecs")
    job_queue: str | None = setting(default=None, help="batch: the job queue (a step's "
                                                       "@batch(queue=...) wins)")
    job_definition: str | None = setting(default=None,
                                         help="batch: the job definition (its image runs flowc)")
    cluster: str | None = setting(default=None, help="ecs: the cluster")
    task_definition: str | None = setting(default=None,
                                          help="ecs: the task definition (its image runs flowc)")
    container_name: str = setting(default="flowc",
                                  help="ecs: the task definition's container that runs the shim")
    launch_type: str = setting(default="FARGATE", help="ecs: FARGATE, EC2 or EXTERNAL")
    subnets: tuple[str, ...] = setting(default=(), help="ecs awsvpc: the subnets of the tasks")
    security_groups: tuple[str, ...] = setting(default=(),
                                               help="ecs awsvpc: the tasks' security groups")
    assign_public_ip: bool = setting(default=False, help="ecs awsvpc: give tasks a public IP")
    task_role: str | None = setting(default=None,
                                    help="ecs: the IAM role ARN the tasks run as (overrides)")
    max_concurrency: int = setting(default=0, help="the most items of one foreach that run at "
                                                   "once (0: no limit)")
    map_mode: str = setting(default="auto", help="how foreach fans out: auto, inline or "
                                                 "distributed (docs/targets/sfn.md)")
    map_items: str = setting(default="state", help="where a Map reads its items: state (the "
                                                   "indices in the foreach step's outputs) or "
                                                   "s3 (an ItemReader over a list the shim "
                                                   "writes; distributed Maps only)")
    python: str = setting(default="python", help="the Python in the image that runs the shim")
    code_package: str | None = setting(
        default=None, help="the code package's digest (flowc compile computes it from the "
                           "flow's folder; deploy uploads it)")
    region: str | None = setting(default=None,
                                 help="the AWS region of the state machine (for @schedule)")
    account: str | None = setting(default=None,
                                  help="the AWS account id of the state machine (for @schedule)")
    scheduler_role: str | None = setting(
        default=None, help="the IAM role ARN EventBridge Scheduler starts executions as "
                           "(for @schedule)")
    role_arn: str | None = setting(
        default=None, help="the IAM role ARN the state machine runs as (flowc deploy)")

    def __post_init__(self) -> None:
        problems = [f"setting '{name}': {problem}" for name, problem in self._problems()]
        if problems:
            raise SettingsError(problems)

    def _problems(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if not self.datastore.startswith("s3://") or len(self.datastore) <= len("s3://"):
            problems.append(("datastore", f"{self.datastore!r} is not s3://bucket[/prefix]: "
                                          "Step Functions reads task outputs from S3"))
        if self.compute not in COMPUTES:
            problems.append(("compute", f"{self.compute!r} is not one of {', '.join(COMPUTES)}"))
        elif self.compute == "batch":
            problems += [(name, "required with compute = batch")
                         for name in ("job_queue", "job_definition") if not getattr(self, name)]
        else:
            problems += [(name, "required with compute = ecs")
                         for name in ("cluster", "task_definition") if not getattr(self, name)]
            if self.launch_type == "FARGATE" and not self.subnets:
                problems.append(("subnets", "required with compute = ecs and launch_type = "
                                            "FARGATE (Fargate tasks use awsvpc networking)"))
        if self.launch_type not in LAUNCH_TYPES:
            problems.append(("launch_type",
                             f"{self.launch_type!r} is not one of {', '.join(LAUNCH_TYPES)}"))
        if self.map_mode not in MAP_MODES:
            problems.append(("map_mode", f"{self.map_mode!r} is not one of {', '.join(MAP_MODES)}"))
        if self.max_concurrency < 0:
            problems.append(("max_concurrency", "must be 0 (no limit) or more"))
        if self.map_items not in MAP_ITEMS:
            problems.append(("map_items", f"{self.map_items!r} is not one of "
                                          f"{', '.join(MAP_ITEMS)}"))
        return problems

    @property
    def bucket_and_prefix(self) -> tuple[str, str]:
        """`s3://bucket/a/b/` -> ("bucket", "a/b")."""
        bucket, _, prefix = self.datastore[len("s3://"):].partition("/")
        return bucket, prefix.strip("/")
