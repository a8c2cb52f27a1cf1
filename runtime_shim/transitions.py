"""Check a step's `self.next(...)` against the compiled flow and compute what the record says.

The IR fixes each step's transition; at run time the step must ask for exactly that one
(same targets, same foreach/condition artifact). The outcome is the foreach cardinality (the
length of the foreach artifact, or `num_parallel`) and the switch choice (the case key equal
to `str(condition value)`).

After an exception caught by `@catch`, the IR's transition is followed without a
`self.next` call: a foreach fans out over its artifact when the step set it (else over zero
items), and a switch takes the case its condition artifact names. A switch whose condition
cannot be computed has no branch to follow, so the task fails (exit 1) even under `@catch`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, assert_never

from flowc.compiler.ir import Foreach, Linear, Parallel, Split, Step, Switch, Transition
from flowc.runtime_shim.errors import UserError
from flowc.runtime_shim.spec import NextCall

Lookup = Callable[[str], tuple[bool, Any]]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the transition contributes to the task record."""

    foreach_cardinality: int | None = None
    switch_choice: str | None = None
    switch_target: str | None = None


def expected_call(transition: Transition) -> NextCall:
    """The `self.next(...)` call the IR expects (targets by name)."""
    match transition:
        case Linear():
            return NextCall((transition.target,))
        case Split():
            return NextCall(transition.branches)
        case Foreach():
            return NextCall((transition.target,), foreach=transition.items)
        case Switch():
            cases = {case.value: case.target for case in transition.cases}
            return NextCall((cases,), condition=transition.condition)
        case Parallel():
            value = transition.num_parallel
            literal = value.value if value.is_literal and isinstance(value.value, int) else None
            return NextCall((transition.target,), num_parallel=literal)
        case _:
            assert_never(transition)


def _matches(call: NextCall, expected: NextCall, transition: Transition) -> bool:
    if isinstance(transition, Parallel):
        return call.targets == expected.targets and call.num_parallel is not None and (
            expected.num_parallel is None or call.num_parallel == expected.num_parallel
        ) and call.foreach is None and call.condition is None
    return call == expected


def resolve(step: Step, call: NextCall | None, lookup: Lookup, *, caught: bool) -> Outcome:
    """Check `call` against `step.transition` (unless `caught`) and compute the outcome."""
    transition = step.transition
    if transition is None:
        if call is not None and not caught:
            raise UserError(f"step '{step.name}' is an end step but called {call.describe()}")
        return Outcome()
    expected = expected_call(transition)
    if not caught:
        if call is None:
            raise UserError(
                f"step '{step.name}' did not call self.next() (expected {expected.describe()})"
            )
        if not _matches(call, expected, transition):
            raise UserError(
                f"step '{step.name}' called {call.describe()} but the compiled flow has "
                f"{expected.describe()} (recompile the flow?)"
            )
    match transition:
        case Linear() | Split():
            return Outcome()
        case Foreach():
            return Outcome(foreach_cardinality=_cardinality(step.name, transition.items, lookup,
                                                            caught=caught))
        case Switch():
            choice = _choice(step.name, transition, lookup, caught=caught)
            target = next((case.target for case in transition.cases if case.value == choice),
                          None)
            return Outcome(switch_choice=choice, switch_target=target)
        case Parallel():
            width = call.num_parallel if call is not None and not caught else None
            width = width if width is not None else expected.num_parallel
            if not isinstance(width, int) or width < 1:
                raise UserError(f"step '{step.name}': num_parallel must be a positive int")
            return Outcome(foreach_cardinality=width)
        case _:
            assert_never(transition)


def _cardinality(step: str, items: str, lookup: Lookup, *, caught: bool) -> int:
    found, value = lookup(items)
    if not found:
        if caught:
            return 0
        raise UserError(f"step '{step}': foreach artifact '{items}' is not set")
    try:
        return len(value)
    except TypeError:
        pass
    try:
        return sum(1 for _ in iter(value))
    except TypeError:
        if caught:
            return 0
        raise UserError(
            f"step '{step}': foreach artifact '{items}' is not iterable "
            f"(its type is {type(value).__name__})"
        ) from None


def _choice(step: str, switch: Switch, lookup: Lookup, *, caught: bool) -> str:
    found, value = lookup(switch.condition)
    why = " after an exception caught by @catch" if caught else ""
    if not found:
        raise UserError(
            f"step '{step}': switch condition artifact '{switch.condition}' is not set{why}, "
            "so no branch can be chosen"
        )
    key = value if isinstance(value, str) else str(value)
    cases = [case.value for case in switch.cases]
    if key not in cases:
        raise UserError(
            f"step '{step}': switch condition '{switch.condition}' is {value!r}{why}, which "
            f"matches no case (cases: {', '.join(repr(c) for c in cases)})"
        )
    return key
