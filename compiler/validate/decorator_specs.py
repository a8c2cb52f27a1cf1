"""The table of known decorators: each one's keywords and the literal values they accept.

`docs/decorators.md` documents this table; `decorators.py` checks against it. A check is a
function from a literal value to a problem (or None when the value fits). Every keyword also
accepts None (the decorator's default), except where noted in the docs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flowc.compiler.ir import JsonValue

Check = Callable[[JsonValue], str | None]


def _describe(value: JsonValue) -> str:
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
            return f"an int is expected, not {_describe(value)}"
        if value < minimum:
            return f"an int >= {minimum} is expected, not {value}"
        if maximum is not None and value > maximum:
            return f"an int <= {maximum} is expected, not {value}"
        return None
    return check


def number(minimum: float = 0, *, exclusive: bool = False) -> Check:
    def check(value: JsonValue) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"a number is expected, not {_describe(value)}"
        if value < minimum or (exclusive and value == minimum):
            return f"a number {'>' if exclusive else '>='} {minimum} is expected, not {value}"
        return None
    return check


def of_type(kind: type, label: str) -> Check:
    def check(value: JsonValue) -> str | None:
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            return None
        return f"{label} is expected, not {_describe(value)}"
    return check


STRING = of_type(str, "a string")
BOOL = of_type(bool, "a bool")
DICT = of_type(dict, "a dict")


def list_of(item: Check, label: str) -> Check:
    def check(value: JsonValue) -> str | None:
        if not isinstance(value, tuple) or any(item(v) is not None for v in value):
            return f"{label} is expected, not {_describe(value)}"
        return None
    return check


def string_dict(value: JsonValue) -> str | None:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        return f"a dict of strings to strings is expected, not {_describe(value)}"
    return None


def either(*checks: Check) -> Check:
    def check(value: JsonValue) -> str | None:
        problems = [c(value) for c in checks]
        return None if any(p is None for p in problems) else problems[0]
    return check


STRING_OR_DICT = either(STRING, DICT)
STRINGS = list_of(STRING, "a list of strings")
STRINGS_OR_DICTS = list_of(STRING_OR_DICT, "a list of strings or dicts")
POSITIVE_INT = integer(1)
CPU = number(0, exclusive=True)


@dataclass(frozen=True, slots=True)
class DecoratorSpec:
    """A known decorator: where it goes and what each keyword accepts."""

    name: str
    on_class: bool
    keywords: Mapping[str, Check]
    required: tuple[str, ...] = ()
    repeatable: bool = False


_SPECS = (
    DecoratorSpec("retry", False, {"times": integer(0, 4),
                                   "minutes_between_retries": number(0)}),
    DecoratorSpec("catch", False, {"var": STRING, "print_exception": BOOL}),
    DecoratorSpec("timeout", False, {"seconds": integer(0), "minutes": integer(0),
                                     "hours": integer(0)}),
    DecoratorSpec("resources", False, {"cpu": CPU, "memory": POSITIVE_INT, "gpu": integer(0),
                                       "disk": POSITIVE_INT, "shared_memory": POSITIVE_INT}),
    DecoratorSpec("environment", False, {"vars": string_dict}),
    DecoratorSpec("secrets", False, {"sources": STRINGS_OR_DICTS, "role": STRING,
                                     "allow_override": BOOL}),
    DecoratorSpec("parallel", False, {}),
    DecoratorSpec("kubernetes", False, {
        "cpu": CPU, "memory": POSITIVE_INT, "disk": POSITIVE_INT, "gpu": integer(0),
        "shared_memory": POSITIVE_INT, "image": STRING, "image_pull_policy": STRING,
        "image_pull_secrets": STRINGS, "service_account": STRING,
        "secrets": either(STRING, STRINGS), "node_selector": either(STRING, string_dict),
        "namespace": STRING, "gpu_vendor": STRING,
        "tolerations": list_of(DICT, "a list of dicts"), "labels": string_dict,
        "annotations": string_dict, "use_tmpfs": BOOL, "tmpfs_tempdir": BOOL,
        "tmpfs_size": POSITIVE_INT, "tmpfs_path": STRING, "persistent_volume_claims": string_dict,
        "port": integer(1, 65535), "compute_pool": STRING, "executable": STRING,
        "hostname_resolution_timeout": integer(0), "qos": STRING, "extended_resources": DICT,
        "security_context": DICT,
    }),
    DecoratorSpec("batch", False, {
        "cpu": CPU, "gpu": integer(0), "memory": POSITIVE_INT, "image": STRING, "queue": STRING,
        "iam_role": STRING, "execution_role": STRING, "shared_memory": POSITIVE_INT,
        "max_swap": integer(0), "swappiness": integer(0, 100), "inferentia": integer(0),
        "trainium": integer(0), "efa": integer(0), "host_volumes": either(STRING, STRINGS),
        "efs_volumes": either(STRING, STRINGS), "use_tmpfs": BOOL, "aws_batch_tags": string_dict,
        "tmpfs_tempdir": BOOL, "tmpfs_size": POSITIVE_INT, "tmpfs_path": STRING,
        "ephemeral_storage": POSITIVE_INT, "log_driver": STRING, "log_options": STRINGS,
        "executable": STRING, "privileged": BOOL,
    }),
    DecoratorSpec("card", False, {"type": STRING, "id": STRING, "options": DICT,
                                  "scope": STRING, "rank": STRING, "timeout": integer(0),
                                  "save_errors": BOOL, "customize": BOOL,
                                  "refresh_interval": integer(1)}, repeatable=True),
    DecoratorSpec("conda", False, {"packages": string_dict, "libraries": string_dict,
                                   "python": STRING, "disabled": BOOL}),
    DecoratorSpec("pypi", False, {"packages": string_dict, "python": STRING,
                                  "disabled": BOOL}),
    DecoratorSpec("schedule", True, {"cron": STRING, "timezone": STRING, "hourly": BOOL,
                                     "daily": BOOL, "weekly": BOOL}),
    DecoratorSpec("project", True, {"name": STRING, "branch": STRING, "production": BOOL},
                  required=("name",)),
    DecoratorSpec("trigger", True, {"event": STRING_OR_DICT, "events": STRINGS_OR_DICTS,
                                    "options": DICT}),
    DecoratorSpec("trigger_on_finish", True, {"flow": STRING_OR_DICT, "flows": STRINGS_OR_DICTS,
                                              "options": DICT}),
)

DECORATOR_SPECS: Mapping[str, DecoratorSpec] = {spec.name: spec for spec in _SPECS}
