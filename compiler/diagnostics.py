"""Diagnostics: the catalog of stable codes and the `Diagnostic` record every pass emits.

Codes: FLC0xx frontend, FLC1xx graph rules, FLC2xx target capability, FLC3xx limits.
A rule is data (code, kebab-case name, severity, default help); rendering lives in
`flowc.compiler.render`. Passes never raise for user mistakes: they return diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flowc.compiler.ir import Span


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    code: str
    name: str
    severity: Severity
    help: str

    def at(self, span: Span, message: str, *, help: str | None = None) -> Diagnostic:
        """A diagnostic of this rule at `span`; `help` overrides the rule's default hint."""
        return Diagnostic(
            code=self.code,
            name=self.name,
            severity=self.severity,
            message=message,
            help=help or self.help,
            span=span,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnostic:
    code: str
    name: str
    severity: Severity
    message: str
    help: str
    span: Span

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.span.path, self.span.line, self.span.col, self.code)


E, W = Severity.ERROR, Severity.WARNING

# fmt: off
_CATALOG: tuple[tuple[str, str, Severity, str], ...] = (
    # --- FLC0xx: reading the file --------------------------------------------------------------
    ("FLC001", "syntax-error", E, "fix the Python syntax error; flowc reads the file without running it"),
    ("FLC002", "no-flow", E, "define a class that derives from FlowSpec (from flowc or metaflow)"),
    ("FLC003", "ambiguous-flow", E, "the file defines several flows: pick one with --flow NAME"),
    ("FLC004", "unknown-flow", E, "pass the name of a FlowSpec class defined in this file to --flow"),
    ("FLC005", "unreadable-file", E, "check the path, its permissions and that it is text in its declared encoding (UTF-8 without a coding line)"),
    ("FLC010", "next-not-last", E, "make self.next(...) the last statement of the step"),
    ("FLC011", "next-in-conditional", E, "call self.next(...) unconditionally at the end of the step; use a switch (condition=) to choose at run time"),
    ("FLC012", "dynamic-next-target", E, "name the target step directly, as self.next(self.step_name)"),
    ("FLC013", "non-literal-foreach", E, 'pass the artifact name as a string literal: foreach="items"'),
    ("FLC014", "non-literal-condition", E, 'pass the artifact name as a string literal: condition="mode"'),
    ("FLC015", "non-literal-switch-case", E, 'use string literals as switch keys: {"a": self.a, "b": self.b}'),
    ("FLC016", "multiple-next", E, "call self.next(...) exactly once, as the last statement of the step"),
    ("FLC020", "invalid-parameter", E, 'declare parameters as name = Parameter("name", default=..., type=..., help=...)'),
    ("FLC021", "duplicate-parameter", E, "give every parameter a distinct name"),
    ("FLC022", "reserved-parameter-name", E, "rename the parameter: the name is reserved by the command line or the runtime"),
    ("FLC023", "parameter-default-type", E, "make the default a value of the declared type, or change type="),
    ("FLC024", "unsupported-parameter-type", E, "use one of str, int, float, bool or JSONType for type="),
    ("FLC025", "parameter-name-conflict", E, "a parameter and a step (or another attribute) share a name: rename one"),
    ("FLC026", "unsupported-flow-input", E, "flowc supports Parameter(...) as a flow's input; IncludeFile and Config are not supported"),
    ("FLC027", "invalid-parameter-name", E, "parameter names use ASCII letters, digits, '_' and '-', not starting with '-'"),
    ("FLC030", "invalid-decorator-argument", E, "check the decorator's arguments: see docs/decorators.md for each one's keywords and types"),
    ("FLC031", "duplicate-decorator", E, "apply each decorator at most once per step or class"),
    ("FLC032", "step-decorator-order", E, "put @step last (closest to def), below every other step decorator"),
    ("FLC040", "duplicate-step", E, "give every step a distinct name; the second definition would hide the first"),
    ("FLC041", "async-step", E, "define the step with a plain def; call asyncio.run(...) inside it for async code"),
    ("FLC042", "conditional-step", E, "define every step unconditionally in the class body; choose at run time with a switch (condition=)"),
    ("FLC043", "rebound-step", E, "apply decorators with @ above the def: @retry(times=2) on the line before @step"),
    # --- FLC1xx: graph rules (one per Metaflow lint rule, plus flowc's own) ----------------------
    ("FLC101", "reserved-step-name", E, "rename the step: the name is reserved by the authoring API"),
    ("FLC102", "missing-start", E, "name a step 'start' or mark exactly one step @step(start=True)"),
    ("FLC103", "missing-end", E, "name a step 'end' or mark exactly one step @step(end=True)"),
    ("FLC104", "unreachable-step", E, "link the step from another step with self.next(...), or delete it"),
    ("FLC105", "ambiguous-start", E, "keep exactly one start step: one named 'start' or one @step(start=True)"),
    ("FLC106", "ambiguous-end", E, "keep exactly one end step: one named 'end' or one @step(end=True)"),
    ("FLC107", "start-has-inputs", E, "the start step runs first: no step may transition to it and it cannot be a join"),
    ("FLC108", "end-has-next", E, "remove self.next(...) from the end step"),
    ("FLC109", "end-is-join", E, "add a join step before the end step; end takes only self"),
    ("FLC110", "invalid-step-name", E, "step names are lowercase identifiers: a lowercase letter, then lowercase letters, digits and underscores"),
    ("FLC111", "wrong-argument-count", E, "a step takes (self); a join takes (self, inputs)"),
    ("FLC112", "missing-next", E, "end the step with self.next(...) to the step that follows"),
    ("FLC113", "invalid-transition", E, 'use a supported form: self.next(self.a), self.next(self.a, self.b), self.next(self.a, foreach="items"), self.next({"x": self.a, "y": self.b}, condition="v"), self.next(self.a, num_parallel=n)'),
    ("FLC114", "unknown-step", E, "transition to a step defined in this flow (check the spelling)"),
    ("FLC115", "cycle", E, "remove the loop; only a switch case that names its own step may loop"),
    ("FLC116", "join-and-split", E, "a step cannot both join and split: add a separate step for the split"),
    ("FLC117", "join-without-split", E, "remove the inputs argument, or add the split this step should join"),
    ("FLC118", "join-path-count", E, "every branch of the split must reach this join exactly once"),
    ("FLC119", "unrelated-join", E, "join the branches of one split before joining another (joins must nest like parentheses)"),
    ("FLC120", "missing-join", E, "this step is reached by several branches of a split: make it a join with def step(self, inputs)"),
    ("FLC121", "end-before-join", E, "join every open split before the end step"),
    ("FLC122", "empty-foreach", E, "put at least one step between the foreach and its join"),
    ("FLC123", "switch-too-few-cases", E, "give the switch at least two cases (use a plain self.next for one)"),
    ("FLC124", "switch-missing-condition", E, 'name the artifact that chooses the case: condition="var"'),
    ("FLC125", "switch-into-join", E, "put an unconditional step between the switch and the join"),
    ("FLC126", "parallel-without-decorator", E, "decorate the target of self.next(..., num_parallel=n) with @parallel"),
    ("FLC127", "parallel-not-joined", E, "follow a @parallel step with a join step (def step(self, inputs))"),
    ("FLC128", "parallel-without-num-parallel", E, "call a @parallel step with self.next(self.step, num_parallel=n)"),
    ("FLC129", "invalid-num-parallel", E, "num_parallel must be a positive integer"),
    # --- FLC2xx: target capability (declared by each target) -------------------------------------
    ("FLC201", "unsupported-construct", E, "this target cannot express the construct; see the support matrix in README.md"),
    ("FLC202", "unsupported-decorator", W, "this target ignores the decorator; see the support matrix in README.md"),
    ("FLC203", "value-needed", E, "every target needs this value when the flow is compiled: write a literal or a module-level constant (NAME = 3 at the top of the file)"),
    # --- FLC3xx: limits ----------------------------------------------------------------------------
    ("FLC301", "name-too-long", E, "shorten the name"),
    ("FLC302", "split-too-wide", W, "a static split this wide is hard to schedule: use a foreach"),
    ("FLC303", "foreach-too-deep", W, "flatten the nesting: deep foreach nests multiply the number of tasks"),
    ("FLC304", "invalid-flow-name", E, "flow names are ASCII: letters, digits and '_' (the name is part of every datastore key)"),
    ("FLC305", "definition-too-large", E, "the compiled definition is over the target's size limit: split the flow into flows started one after another (@trigger_on_finish), or shorten its settings"),
)
# fmt: on

RULES: dict[str, Rule] = {
    code: Rule(code=code, name=name, severity=severity, help=help)
    for code, name, severity, help in _CATALOG
}
RULES_BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES.values()}


def rule(code: str) -> Rule:
    """The rule with `code`; an unknown code is a programming error."""
    return RULES[code]


def has_errors(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def sorted_diagnostics(
    diagnostics: tuple[Diagnostic, ...] | list[Diagnostic],
) -> tuple[Diagnostic, ...]:
    """Diagnostics in file order, duplicates (same code at the same place) removed."""
    unique = {(d.sort_key(), d.message): d for d in diagnostics}
    return tuple(unique[key] for key in sorted(unique))
