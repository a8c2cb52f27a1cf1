"""Typed settings from a step's decorators (`step_settings`) and a flow's class decorators
(`flow_settings`, from `flow_decorators`): what every target and the runtime shim read instead
of raw decorator arguments. Merge rules and defaults follow Metaflow (docs/decorators.md).

The settings assume a checked flow: `flowc check` reports a value it cannot know statically
(FLC203), so here such a value raises `SettingsError` rather than becoming a default.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from flowc.compiler.ir.known_decorators import (
    DECORATOR_SPECS,
    RESOURCE_KEYWORDS,
    Pairs,
    SettingsError,
    StringPairs,
    frozen,
    number_of,
    optional_str,
    static_arguments,
)
from flowc.compiler.ir.nodes import Decorator, JsonValue, Step

if TYPE_CHECKING:
    from flowc.compiler.ir.flow_decorators import (
        Event,
        FinishedFlow,
        FlowSettings,
        Project,
        Schedule,
        Trigger,
        TriggerOnFinish,
        flow_settings,
    )

# The flow's settings live in `flow_decorators`, loaded on first use: a task needs only its
# step's settings, and every class costs import time in every task.
_FLOW_NAMES = frozenset({"Event", "FinishedFlow", "FlowSettings", "Project", "Schedule",
                         "Trigger", "TriggerOnFinish", "flow_settings"})

__all__ = [
    "Batch", "Catch", "Environment", "Event", "FinishedFlow", "FlowSettings", "Kubernetes",
    "Project", "Resources", "Retry", "Schedule", "SecretSource", "Secrets", "SettingsError",
    "StepSettings", "Timeout", "Trigger", "TriggerOnFinish", "flow_settings", "step_settings",
]

RETRY_TIMES = 3  # Metaflow's @retry without arguments
RETRY_MINUTES = 2
DEFAULT_CPU = 1.0  # Metaflow's @resources defaults
DEFAULT_MEMORY_MB = 4096
DEFAULT_GPU = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Retry:
    times: int
    delay_s: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Timeout:
    seconds: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Catch:
    var: str | None
    print_exception: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Resources:
    """The largest of each value @resources, @kubernetes and @batch ask for, else the default."""

    cpu: float = DEFAULT_CPU
    memory_mb: int = DEFAULT_MEMORY_MB
    gpu: int = DEFAULT_GPU
    disk_mb: int | None = None  # None: the target's default
    shared_memory_mb: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Environment:
    variables: StringPairs = ()  # sorted by name


@dataclass(frozen=True, slots=True, kw_only=True)
class SecretSource:
    """One of @secrets' sources: a plain id, or Metaflow's dict form with its extra keys."""

    id: str
    type: str | None = None
    role: str | None = None
    options: Pairs = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Secrets:
    sources: tuple[str, ...] = ()  # each source's id, in source order
    specs: tuple[SecretSource, ...] = ()  # the same sources, in full
    role: str | None = None
    allow_override: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Kubernetes:
    """@kubernetes beyond the resources; None means "not written": the target's default."""

    image: str | None = None
    image_pull_policy: str | None = None
    image_pull_secrets: tuple[str, ...] = ()
    service_account: str | None = None
    secrets: tuple[str, ...] = ()
    node_selector: StringPairs = ()
    namespace: str | None = None
    gpu_vendor: str | None = None
    tolerations: tuple[Pairs, ...] = ()
    labels: StringPairs = ()
    annotations: StringPairs = ()
    use_tmpfs: bool | None = None
    tmpfs_tempdir: bool | None = None
    tmpfs_size: int | None = None
    tmpfs_path: str | None = None
    persistent_volume_claims: StringPairs = ()
    port: int | None = None
    compute_pool: str | None = None
    executable: str | None = None
    hostname_resolution_timeout: int | None = None
    qos: str | None = None
    extended_resources: Pairs = ()
    security_context: Pairs = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Batch:
    """@batch beyond the resources; None means "not written": the target's default."""

    image: str | None = None
    queue: str | None = None
    iam_role: str | None = None
    execution_role: str | None = None
    max_swap: int | None = None
    swappiness: int | None = None
    inferentia: int | None = None
    trainium: int | None = None
    efa: int | None = None
    host_volumes: tuple[str, ...] = ()
    efs_volumes: tuple[str, ...] = ()
    use_tmpfs: bool | None = None
    aws_batch_tags: StringPairs = ()
    tmpfs_tempdir: bool | None = None
    tmpfs_size: int | None = None
    tmpfs_path: str | None = None
    ephemeral_storage: int | None = None
    log_driver: str | None = None
    log_options: tuple[str, ...] = ()
    executable: str | None = None
    privileged: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StepSettings:
    """Everything a step's decorators ask of a target; `opaque` holds the decorators no target
    setting comes from (unknown ones, and @card/@conda/@pypi), for targets to report."""

    retry: Retry | None = None
    timeout: Timeout | None = None
    catch: Catch | None = None
    resources: Resources = Resources()
    environment: Environment = Environment()
    secrets: Secrets = Secrets()
    kubernetes: Kubernetes | None = None
    batch: Batch | None = None
    parallel: bool = False
    opaque: tuple[Decorator, ...] = ()


def _strings(value: JsonValue) -> tuple[str, ...]:
    """A string or a list of strings as a tuple."""
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value) if isinstance(value, tuple) else ()


def _selector(value: JsonValue) -> StringPairs:
    """`node_selector` as sorted pairs, from a dict or Metaflow's "k=v,k2=v2" string."""
    if isinstance(value, str):
        pairs = (item.split("=", 1) for item in value.split(",") if item.strip())
        return tuple(sorted((k.strip(), v.strip()) for k, v in pairs))
    return frozen(value)  # type: ignore[return-value]


_LISTS = frozenset({"secrets", "host_volumes", "efs_volumes"})  # a string or a list of them


def _extras(cls: type[Any], values: dict[str, JsonValue]) -> Any:
    """A Kubernetes or Batch from its decorator's values (the resources left out)."""
    chosen: dict[str, Any] = {}
    for field in fields(cls):
        if field.name not in values:
            continue
        value = values[field.name]
        if field.name == "node_selector":
            chosen[field.name] = _selector(value)
        elif field.name in _LISTS:
            chosen[field.name] = _strings(value)
        else:
            chosen[field.name] = frozen(value)
    return cls(**chosen)


def _resources(by_name: dict[str, dict[str, JsonValue]]) -> Resources:
    """Metaflow's merge: for each resource, the largest value any of the three asks for."""
    asked: dict[str, float] = {}
    for name in ("resources", "kubernetes", "batch"):
        for keyword in RESOURCE_KEYWORDS:
            value = by_name.get(name, {}).get(keyword)
            if isinstance(value, int | float):
                asked[keyword] = max(asked.get(keyword, value), value)
    disk, shared = asked.get("disk"), asked.get("shared_memory")
    return Resources(cpu=float(asked.get("cpu", DEFAULT_CPU)),
                     memory_mb=int(asked.get("memory", DEFAULT_MEMORY_MB)),
                     gpu=int(asked.get("gpu", DEFAULT_GPU)),
                     disk_mb=None if disk is None else int(disk),
                     shared_memory_mb=None if shared is None else int(shared))


def _secret(source: JsonValue) -> SecretSource:
    if isinstance(source, dict):
        options = source.get("options")
        return SecretSource(id=str(source["id"]), type=optional_str(source.get("type")),
                            role=optional_str(source.get("role")),
                            options=frozen(options) if isinstance(options, dict) else ())  # type: ignore[arg-type]
    return SecretSource(id=str(source))


def _retry(values: dict[str, JsonValue]) -> Retry:
    minutes = number_of(values, "minutes_between_retries", RETRY_MINUTES)
    # whole seconds, as every orchestrator counts them; never shorter than asked (the rounding
    # to microseconds keeps 0.1 minutes at 6 s, not 6.000000000000001 -> 7)
    delay_s = math.ceil(round(60 * minutes, 6))
    return Retry(times=int(number_of(values, "times", RETRY_TIMES)), delay_s=delay_s)


def _timeout(values: dict[str, JsonValue]) -> Timeout:
    seconds = (number_of(values, "seconds", 0) + 60 * number_of(values, "minutes", 0)
               + 3600 * number_of(values, "hours", 0))
    return Timeout(seconds=int(seconds))


def _catch(values: dict[str, JsonValue]) -> Catch:
    return Catch(var=optional_str(values.get("var")),
                 print_exception=values.get("print_exception", True) is not False)


def _environment(values: dict[str, JsonValue]) -> Environment:
    variables = values.get("vars")
    if not isinstance(variables, dict):
        return Environment()
    return Environment(variables=tuple((k, str(variables[k])) for k in sorted(variables)))


def _secrets(values: dict[str, JsonValue]) -> Secrets:
    sources = values.get("sources")
    specs = tuple(_secret(s) for s in sources) if isinstance(sources, tuple) else ()
    return Secrets(sources=tuple(s.id for s in specs), specs=specs,
                   role=optional_str(values.get("role")),
                   allow_override=values.get("allow_override") is True)


def step_settings(step: Step) -> StepSettings:
    """The typed settings of a checked step (SettingsError for a value it cannot know)."""
    by_name: dict[str, dict[str, JsonValue]] = {}
    opaque: list[Decorator] = []
    for deco in step.decorators:
        spec = DECORATOR_SPECS.get(deco.name)
        if not deco.known or spec is None or not spec.typed or spec.on_class:
            opaque.append(deco)
        else:
            by_name[deco.name] = static_arguments(deco)
    found = by_name.get
    return StepSettings(
        retry=None if (retry := found("retry")) is None else _retry(retry),
        timeout=None if (timeout := found("timeout")) is None else _timeout(timeout),
        catch=None if (catch := found("catch")) is None else _catch(catch),
        resources=_resources(by_name),
        environment=_environment(found("environment") or {}),
        secrets=_secrets(found("secrets") or {}),
        kubernetes=None if (k8s := found("kubernetes")) is None else _extras(Kubernetes, k8s),
        batch=None if (batch := found("batch")) is None else _extras(Batch, batch),
        parallel="parallel" in by_name,
        opaque=tuple(opaque),
    )


def __getattr__(name: str) -> Any:
    if name in _FLOW_NAMES:
        from flowc.compiler.ir import flow_decorators

        return getattr(flow_decorators, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
