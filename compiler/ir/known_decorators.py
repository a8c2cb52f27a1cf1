"""The one table of decorators flowc knows: where each goes, the keywords it takes and the
literal values each keyword accepts. The frontend, the validator, the authoring API and the
typed settings (`flowc.compiler.ir.decorators`) all derive from it; docs/decorators.md
documents it. Standard library only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, TypeAlias

from flowc.compiler.ir.nodes import Decorator, JsonValue

# A literal with every dict turned into its (key, value) pairs sorted by key: hashable, fixed.
FrozenValue: TypeAlias = None | bool | int | float | str | tuple["FrozenValue", ...]
Pairs: TypeAlias = tuple[tuple[str, FrozenValue], ...]
StringPairs: TypeAlias = tuple[tuple[str, str], ...]
Check = Callable[[JsonValue], str | None]  # a literal value -> what is wrong with it, or None


def describe(value: JsonValue) -> str:
    if isinstance(value, bool):
        return f"the bool {value}"
    if isinstance(value, tuple):
        return "a list"
    if isinstance(value, dict):
        return "a dict"
    return f"the {type(value).__name__} {value!r}"


def integer(minimum: int = 0, maximum: int | None = None) -> Check:
    def check(value: JsonValue) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"an int is expected, not {describe(value)}"
        if value < minimum:
            return f"an int >= {minimum} is expected, not {value}"
        if maximum is not None and value > maximum:
            return f"an int <= {maximum} is expected, not {value}"
        return None
    return check


def number(minimum: float = 0, *, exclusive: bool = False) -> Check:
    def check(value: JsonValue) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"a number is expected, not {describe(value)}"
        if value < minimum or (exclusive and value == minimum):
            return f"a number {'>' if exclusive else '>='} {minimum} is expected, not {value}"
        return None
    return check


def of_type(kind: type, label: str) -> Check:
    def check(value: JsonValue) -> str | None:
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            return None
        return f"{label} is expected, not {describe(value)}"
    return check


def list_of(item: Check, label: str) -> Check:
    def check(value: JsonValue) -> str | None:
        if not isinstance(value, tuple) or any(item(v) is not None for v in value):
            return f"{label} is expected, not {describe(value)}"
        return None
    return check


def either(*checks: Check) -> Check:
    def check(value: JsonValue) -> str | None:
        problems = [c(value) for c in checks]
        return None if any(p is None for p in problems) else problems[0]
    return check


def string_dict(value: JsonValue) -> str | None:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        return f"a dict of strings to strings is expected, not {describe(value)}"
    return None


def string_pair(value: JsonValue) -> str | None:
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value):
        return None
    return f"a pair of strings is expected, not {describe(value)}"


def selector_string(value: JsonValue) -> str | None:
    """Metaflow's string form of a node selector: "key=value,key2=value2"."""
    if isinstance(value, str) and all("=" in item for item in value.split(",") if item.strip()):
        return None
    return f'a "key=value,key2=value2" string is expected, not {describe(value)}'


def name_or_spec(label: str, required: str, optional: Mapping[str, Check]) -> Check:
    """A string, or a dict with a string `required` key and only the `optional` keys besides
    (Metaflow's event, flow and secret specs)."""
    def check(value: JsonValue) -> str | None:
        if isinstance(value, str):
            return None
        if not isinstance(value, dict) or not isinstance(value.get(required), str):
            return (f"a string or {label} dict with a string '{required}' is expected, "
                    f"not {describe(value)}")
        for key, item in value.items():
            if key == required:
                continue
            if key not in optional:
                accepted = ", ".join((required, *optional))
                return f"{label} dict has no key '{key}' (it accepts: {accepted})"
            problem = optional[key](item)
            if problem is not None:
                return f"{label} dict's '{key}': {problem}"
        return None
    return check


STRING = of_type(str, "a string")
BOOL = of_type(bool, "a bool")
DICT = of_type(dict, "a dict")
STRINGS = list_of(STRING, "a list of strings")
POSITIVE_INT = integer(1)
CPU = number(0, exclusive=True)
# `parameters` of an event: {"param": "field"} or ["param", ("param", "field"), ...]
EVENT_PARAMETERS = either(string_dict, list_of(either(STRING, string_pair),
                                               "a list of names or (name, field) pairs"))
EVENT = name_or_spec("an event", "name", {"parameters": EVENT_PARAMETERS})
FINISHED_FLOW = name_or_spec("a flow", "name", {"project": STRING, "project_branch": STRING})
SECRET_SOURCE = name_or_spec("a secret", "id", {"type": STRING, "role": STRING,
                                                "options": DICT})


@dataclass(frozen=True, slots=True, kw_only=True)
class DecoratorSpec:
    """A known decorator: where it goes, what each keyword accepts, whether it becomes typed
    settings (then every argument must be static) and whether `from flowc import` has it."""

    name: str
    on_class: bool
    keywords: Mapping[str, Check]
    required: tuple[str, ...] = ()
    repeatable: bool = False
    typed: bool = True  # read into StepSettings/FlowSettings: every value must be static
    in_api: bool = True  # flowc's authoring API exports it (the others: the metaflow alias)


_RESOURCES = {"cpu": CPU, "memory": POSITIVE_INT, "gpu": integer(0), "disk": POSITIVE_INT,
              "shared_memory": POSITIVE_INT}

_SPECS = (
    DecoratorSpec(name="retry", on_class=False,
                  keywords={"times": integer(0, 4), "minutes_between_retries": number(0)}),
    DecoratorSpec(name="catch", on_class=False, keywords={"var": STRING, "print_exception": BOOL}),
    DecoratorSpec(name="timeout", on_class=False, keywords={
        "seconds": integer(0), "minutes": integer(0), "hours": integer(0)}),
    DecoratorSpec(name="resources", on_class=False, keywords=_RESOURCES),
    DecoratorSpec(name="environment", on_class=False, keywords={"vars": string_dict}),
    DecoratorSpec(name="secrets", on_class=False, keywords={
        "sources": list_of(SECRET_SOURCE, "a list of secret ids or secret dicts"),
        "role": STRING, "allow_override": BOOL}),
    DecoratorSpec(name="parallel", on_class=False, keywords={}),
    DecoratorSpec(name="kubernetes", on_class=False, keywords={
        **_RESOURCES, "image": STRING, "image_pull_policy": STRING,
        "image_pull_secrets": STRINGS, "service_account": STRING,
        "secrets": either(STRING, STRINGS), "node_selector": either(selector_string, string_dict),
        "namespace": STRING, "gpu_vendor": STRING,
        "tolerations": list_of(DICT, "a list of dicts"), "labels": string_dict,
        "annotations": string_dict, "use_tmpfs": BOOL, "tmpfs_tempdir": BOOL,
        "tmpfs_size": POSITIVE_INT, "tmpfs_path": STRING, "persistent_volume_claims": string_dict,
        "port": integer(1, 65535), "compute_pool": STRING, "executable": STRING,
        "hostname_resolution_timeout": integer(0), "qos": STRING, "extended_resources": DICT,
        "security_context": DICT,
    }),
    DecoratorSpec(name="batch", on_class=False, keywords={
        "cpu": CPU, "gpu": integer(0), "memory": POSITIVE_INT, "image": STRING, "queue": STRING,
        "iam_role": STRING, "execution_role": STRING, "shared_memory": POSITIVE_INT,
        "max_swap": integer(0), "swappiness": integer(0, 100), "inferentia": integer(0),
        "trainium": integer(0), "efa": integer(0), "host_volumes": either(STRING, STRINGS),
        "efs_volumes": either(STRING, STRINGS), "use_tmpfs": BOOL, "aws_batch_tags": string_dict,
        "tmpfs_tempdir": BOOL, "tmpfs_size": POSITIVE_INT, "tmpfs_path": STRING,
        "ephemeral_storage": POSITIVE_INT, "log_driver": STRING, "log_options": STRINGS,
        "executable": STRING, "privileged": BOOL,
    }),
    DecoratorSpec(name="card", on_class=False, keywords={
        "type": STRING, "id": STRING, "options": DICT, "scope": STRING, "rank": STRING,
        "timeout": integer(0), "save_errors": BOOL, "customize": BOOL,
        "refresh_interval": integer(1)}, repeatable=True, typed=False, in_api=False),
    DecoratorSpec(name="conda", on_class=False, keywords={
        "packages": string_dict, "libraries": string_dict, "python": STRING, "disabled": BOOL},
        typed=False, in_api=False),
    DecoratorSpec(name="pypi", on_class=False, keywords={
        "packages": string_dict, "python": STRING, "disabled": BOOL}, typed=False, in_api=False),
    DecoratorSpec(name="schedule", on_class=True, keywords={
        "cron": STRING, "timezone": STRING, "hourly": BOOL, "daily": BOOL, "weekly": BOOL}),
    DecoratorSpec(name="project", on_class=True, keywords={
        "name": STRING, "branch": STRING, "production": BOOL}, required=("name",)),
    DecoratorSpec(name="trigger", on_class=True, keywords={
        "event": EVENT, "events": list_of(EVENT, "a list of events"), "options": DICT}),
    DecoratorSpec(name="trigger_on_finish", on_class=True, keywords={
        "flow": FINISHED_FLOW, "flows": list_of(FINISHED_FLOW, "a list of flows"),
        "options": DICT}),
)

DECORATOR_SPECS: Final[Mapping[str, DecoratorSpec]] = MappingProxyType(
    {spec.name: spec for spec in _SPECS})
STEP_DECORATORS: Final = frozenset(s.name for s in _SPECS if not s.on_class)
FLOW_DECORATORS: Final = frozenset(s.name for s in _SPECS if s.on_class)
KNOWN_DECORATORS: Final = STEP_DECORATORS | FLOW_DECORATORS
API_DECORATORS: Final = tuple(s.name for s in _SPECS if s.in_api)  # table order
RESOURCE_KEYWORDS: Final = tuple(_RESOURCES)  # merged across @resources/@kubernetes/@batch


class SettingsError(ValueError):
    """A decorator value the typed settings cannot know: the flow did not pass `flowc check`."""


def frozen(value: JsonValue) -> FrozenValue:
    """`value` with each dict as its pairs sorted by key (lists stay tuples)."""
    if isinstance(value, dict):
        return tuple((key, frozen(value[key])) for key in sorted(value))
    if isinstance(value, tuple):
        return tuple(frozen(item) for item in value)
    return value


def static_arguments(deco: Decorator) -> dict[str, JsonValue]:
    """keyword -> static value of a known decorator's arguments (None ones left out: they
    mean the default). SettingsError for anything `flowc check` would have refused."""
    found: dict[str, JsonValue] = {}
    spec = DECORATOR_SPECS.get(deco.name)
    for argument in deco.arguments:
        value, keyword = argument.value, argument.keyword
        if keyword is None or spec is None or keyword not in spec.keywords:
            raise SettingsError(f"{value.span}: @{deco.name} cannot take {value.source} "
                                "(run `flowc check`)")
        if not value.is_literal:
            raise SettingsError(f"{value.span}: @{deco.name}({keyword}=...) is not static: "
                                f"{value.source} (run `flowc check`)")
        if value.value is None:
            continue
        problem = spec.keywords[keyword](value.value)
        if problem is not None:
            raise SettingsError(f"{value.span}: @{deco.name}({keyword}=...): {problem} "
                                "(run `flowc check`)")
        found[keyword] = value.value
    return found


def number_of(values: dict[str, JsonValue], keyword: str, default: float) -> float:
    """A checked numeric value, or `default` when the keyword was not written."""
    value = values.get(keyword, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SettingsError(f"{keyword}={value!r} is not a number (run `flowc check`)")
    return value


def optional_str(value: JsonValue) -> str | None:
    return None if value is None else str(value)
