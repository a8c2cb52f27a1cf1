"""The IR's nodes: frozen, slotted, keyword-only dataclasses with a span on every node from
source. What the user wrote, nothing derived (that is `flowc.compiler.ir.graph`)."""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any, Literal, TypeAlias

IR_VERSION = 2  # 2: every step named in self.next(...) carries its own span

# A literal value from source: what `ast.literal_eval` accepts, restricted to JSON types.
# Lists and tuples are stored as tuples so that nodes stay immutable; dict keys are strings.
JsonValue: TypeAlias = (
    None | bool | int | float | str | tuple["JsonValue", ...] | dict[str, "JsonValue"]
)

ParameterType = Literal["str", "int", "float", "bool", "json"]
PARAMETER_TYPES: tuple[ParameterType, ...] = ("str", "int", "float", "bool", "json")


@dataclass(frozen=True, slots=True, kw_only=True)
class Span:
    """A source range: relative POSIX path, 1-based lines and columns (end is exclusive)."""

    path: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Value:
    """An argument value: its literal value when static, always its source text.

    `is_literal` is False for anything that is not a literal or a resolvable module-level
    constant (a call, an attribute, a name from elsewhere); `value` is then None and only a
    target that needs the value reports it.
    """

    source: str
    is_literal: bool
    value: JsonValue = None
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Argument:
    """One argument of a decorator call; `keyword` is None for a positional argument."""

    keyword: str | None
    value: Value


@dataclass(frozen=True, slots=True, kw_only=True)
class Decorator:
    """A step or class decorator: its canonical name (`retry`, `kubernetes`, or the name as
    written when unknown), whether flowc knows it, and its arguments in source order."""

    name: str
    known: bool
    arguments: tuple[Argument, ...] = ()
    span: Span

    def argument(self, keyword: str) -> Value | None:
        for arg in self.arguments:
            if arg.keyword == keyword:
                return arg.value
        return None

    def literal(self, keyword: str, default: JsonValue = None) -> JsonValue:
        """The literal value of `keyword`, or `default` when absent or not literal."""
        value = self.argument(keyword)
        if value is None or not value.is_literal:
            return default
        return value.value


# --- transitions: the forms of `self.next(...)` -------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Linear:
    """`self.next(self.a)`."""

    target: str
    target_span: Span
    span: Span

    @property
    def targets(self) -> tuple[str, ...]:
        return (self.target,)

    @property
    def named_targets(self) -> tuple[tuple[str, Span], ...]:
        """Each target with where it is written (`self.a`)."""
        return ((self.target, self.target_span),)


@dataclass(frozen=True, slots=True, kw_only=True)
class Split:
    """`self.next(self.a, self.b, ...)`: a static split."""

    branches: tuple[str, ...]
    branch_spans: tuple[Span, ...]
    span: Span

    @property
    def targets(self) -> tuple[str, ...]:
        return self.branches

    @property
    def named_targets(self) -> tuple[tuple[str, Span], ...]:
        return tuple(zip(self.branches, self.branch_spans, strict=True))


@dataclass(frozen=True, slots=True, kw_only=True)
class Foreach:
    """`self.next(self.body, foreach="items")`: one task of `target` per item."""

    target: str
    target_span: Span
    items: str
    span: Span

    @property
    def targets(self) -> tuple[str, ...]:
        return (self.target,)

    @property
    def named_targets(self) -> tuple[tuple[str, Span], ...]:
        return ((self.target, self.target_span),)


@dataclass(frozen=True, slots=True, kw_only=True)
class SwitchCase:
    """One case of a switch: the condition value (as a string key, `span`) and its target
    step (`self.x`, `target_span`)."""

    value: str
    target: str
    target_span: Span
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Switch:
    """`self.next({"a": self.x, "b": self.y}, condition="var")`; a case may name the step
    itself, which makes a loop."""

    cases: tuple[SwitchCase, ...]
    condition: str
    span: Span

    @property
    def targets(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for case in self.cases:
            seen.setdefault(case.target, None)
        return tuple(seen)

    @property
    def named_targets(self) -> tuple[tuple[str, Span], ...]:
        return tuple((case.target, case.target_span) for case in self.cases)


@dataclass(frozen=True, slots=True, kw_only=True)
class Parallel:
    """`self.next(self.body, num_parallel=4)`: a fixed-width gang of `target` tasks."""

    target: str
    target_span: Span
    num_parallel: Value
    span: Span

    @property
    def targets(self) -> tuple[str, ...]:
        return (self.target,)

    @property
    def named_targets(self) -> tuple[tuple[str, Span], ...]:
        return ((self.target, self.target_span),)


Transition: TypeAlias = Linear | Split | Foreach | Switch | Parallel


@dataclass(frozen=True, slots=True, kw_only=True)
class Parameter:
    """A flow parameter (`alpha = Parameter("alpha", default=0.1, type=float)`).

    `name` is the user-facing name (the first argument), `attribute` the class attribute it
    is bound to. `default` is None when there is none (`has_default` tells absent from None).
    """

    name: str
    attribute: str
    type: ParameterType
    default: Value | None = None
    required: bool = False
    help: str | None = None
    separator: str | None = None
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One `@step` method. `inputs` is the name of its second argument when it is a join."""

    name: str
    doc: str | None = None
    inputs: str | None = None
    argument_count: int = 1
    decorators: tuple[Decorator, ...] = ()
    transition: Transition | None = None
    is_start: bool = False
    is_end: bool = False
    span: Span

    @property
    def is_join(self) -> bool:
        return self.inputs is not None

    @property
    def successors(self) -> tuple[str, ...]:
        return () if self.transition is None else self.transition.targets

    def decorator(self, name: str) -> Decorator | None:
        for deco in self.decorators:
            if deco.name == name:
                return deco
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Flow:
    """A whole flow: its class, parameters, steps in source order and class decorators.

    `path` is the flow file relative to the project root the compiler was given.
    """

    name: str
    path: str
    doc: str | None = None
    parameters: tuple[Parameter, ...] = ()
    steps: tuple[Step, ...] = ()
    decorators: tuple[Decorator, ...] = ()
    span: Span

    def step(self, name: str) -> Step:
        for candidate in self.steps:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    def has_step(self, name: str) -> bool:
        return any(s.name == name for s in self.steps)

    def decorator(self, name: str) -> Decorator | None:
        for deco in self.decorators:
            if deco.name == name:
                return deco
        return None


# --- JSON -----------------------------------------------------------------------------------


def literal_to_python(value: JsonValue) -> Any:
    """A literal as plain Python data (tuples become lists), for user-facing values."""
    if isinstance(value, tuple):
        return [literal_to_python(item) for item in value]
    if isinstance(value, dict):
        return {key: literal_to_python(item) for key, item in value.items()}
    return value


def with_path(node: Any, path: str) -> Any:
    """`node` with its source path (every span's, and a flow's own) replaced by `path`: the
    same flow as if it had been read with another root (a code package's IR names the file
    relative to the flow's folder)."""
    if isinstance(node, Span):
        return replace(node, path=path)
    if isinstance(node, Flow):
        return replace(_with_path_fields(node, path), path=path)
    if isinstance(node, tuple):
        return tuple(with_path(item, path) for item in node)
    if isinstance(node, dict):
        return {key: with_path(item, path) for key, item in node.items()}
    if is_dataclass(node) and not isinstance(node, type):
        return _with_path_fields(node, path)
    return node


def _with_path_fields(node: Any, path: str) -> Any:
    return replace(node, **{f.name: with_path(getattr(node, f.name), path) for f in fields(node)})
