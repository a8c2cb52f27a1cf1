"""Declaring settings: each target's frozen dataclass of typed fields, and converting values.

A field's type is one of str, int, bool or tuple[str, ...] (optionally `| None`); `setting()`
gives it its one-line help and a default (no default: required). Raw values arrive as text
(`--set`, `FLOWC_*`) or as TOML values, and are converted and checked here, so that a bad
value is one error naming where it came from.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from dataclasses import MISSING, dataclass
from typing import Any, Literal

Kind = Literal["str", "int", "bool", "tuple[str, ...]"]
_KINDS: dict[object, Kind] = {
    str: "str", int: "int", bool: "bool", tuple[str, ...]: "tuple[str, ...]"}
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
_INT_RE = re.compile(r"[+-]?[0-9]+")


class SettingsError(Exception):
    """Settings that cannot be resolved; `str()` is one line (the CLI prints it, exit 2)."""

    def __init__(self, problems: str | typing.Sequence[str]) -> None:
        self.problems = (problems,) if isinstance(problems, str) else tuple(problems)
        super().__init__("; ".join(self.problems))


def setting(*, help: str, default: Any = MISSING) -> Any:
    """A settings field with its one-line `help`; without `default` it is required."""
    return dataclasses.field(default=default, metadata={"help": help})


@dataclass(frozen=True, slots=True, kw_only=True)
class CommonSettings:
    """The settings every target has. A target's schema subclasses this and adds its own."""

    datastore: str | None = setting(
        default=None, help="where runs and code packages live: a directory or s3://bucket/prefix")
    image: str | None = setting(default=None, help="the container image every task runs in")
    # The S3 datastore's time budget (docs/datastore.md). None leaves the shim's default; a
    # value reaches every task as the FLOWC_S3_* variable of the same name, which is also
    # this setting's environment variable.
    s3_connect_timeout: int | None = setting(
        default=None, help="seconds to open a connection to S3 (default 5)")
    s3_read_timeout: int | None = setting(
        default=None, help="seconds to wait for the next byte of an S3 answer (default 20)")
    s3_max_attempts: int | None = setting(
        default=None, help="attempts per S3 request, the first included (default 4)")
    s3_deadline: int | None = setting(
        default=None, help="seconds for a whole S3 request, retries included (default 60)")

    def __post_init__(self) -> None:
        for name in S3_LIMIT_NAMES:
            value = getattr(self, name)
            if value is not None and value < 1:
                raise SettingsError(f"setting '{name}' must be at least 1, got {value}")

    def s3_limits_env(self) -> tuple[tuple[str, str], ...]:
        """`(("FLOWC_S3_DEADLINE", "30"), ...)`: the S3 limits these settings give, as the
        variables every task's environment carries (none when all are left at default)."""
        return tuple((f"FLOWC_{name.upper()}", str(getattr(self, name)))
                     for name in S3_LIMIT_NAMES if getattr(self, name) is not None)


S3_LIMIT_NAMES = ("s3_connect_timeout", "s3_read_timeout", "s3_max_attempts", "s3_deadline")


COMMON_NAMES = frozenset(field.name for field in dataclasses.fields(CommonSettings))


@dataclass(frozen=True, slots=True, kw_only=True)
class SettingSpec:
    """One field of a settings schema, as the resolver sees it."""

    name: str
    kind: Kind
    optional: bool
    required: bool
    default: Any
    help: str

    @property
    def common(self) -> bool:
        """Whether every target has it (it may then also be set in `[tool.flowc]`)."""
        return self.name in COMMON_NAMES

    @property
    def type_text(self) -> str:
        return f"{self.kind} | None" if self.optional else self.kind


def _kind(name: str, hint: object) -> tuple[Kind, bool]:
    optional = False
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        members = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        optional = len(members) < len(typing.get_args(hint))
        hint = members[0] if len(members) == 1 else hint
    kind = _KINDS.get(hint)
    if kind is None:
        raise TypeError(f"setting '{name}' has type {hint!r}: use str, int, bool or "
                        "tuple[str, ...], optionally | None")
    return kind, optional


def schema_specs(schema: type) -> tuple[SettingSpec, ...]:
    """The fields of a settings dataclass (a subclass of CommonSettings), in declared order."""
    if not (isinstance(schema, type) and issubclass(schema, CommonSettings)):
        raise TypeError(f"{schema!r} is not a subclass of CommonSettings")
    hints = typing.get_type_hints(schema)
    specs = []
    for field in dataclasses.fields(schema):
        kind, optional = _kind(field.name, hints[field.name])
        required = field.default is MISSING and field.default_factory is MISSING
        default = field.default if field.default_factory is MISSING else field.default_factory()
        specs.append(SettingSpec(name=field.name, kind=kind, optional=optional, required=required,
                                 default=None if required else default,
                                 help=str(field.metadata.get("help", ""))))
    return tuple(specs)


def _from_text(spec: SettingSpec, text: str) -> Any:
    if spec.optional and text == "":
        return None
    match spec.kind:
        case "str":
            return text
        case "int":
            if _INT_RE.fullmatch(text.strip()):
                return int(text.strip())
            raise ValueError(f"{text!r} is not an integer")
        case "bool":
            lowered = text.strip().lower()
            if lowered in _TRUE | _FALSE:
                return lowered in _TRUE
            raise ValueError(f"{text!r} is not a boolean (true/false, yes/no, on/off, 1/0)")
        case "tuple[str, ...]":
            return tuple(part.strip() for part in text.split(",") if part.strip())


def convert(spec: SettingSpec, raw: object, where: str) -> Any:
    """`raw` (text, or a TOML value) as the setting's type; SettingsError naming `where`."""
    try:
        if isinstance(raw, str):
            return _from_text(spec, raw)
        if spec.kind == "bool" and isinstance(raw, bool):
            return raw
        if spec.kind == "int" and isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if spec.kind == "tuple[str, ...]" and isinstance(raw, list | tuple) and all(
                isinstance(item, str) for item in raw):
            return tuple(raw)
        raise ValueError(f"{raw!r} is a {type(raw).__name__}, expected {spec.type_text}")
    except ValueError as exc:
        raise SettingsError(f"setting '{spec.name}' from {where}: {exc}") from None
