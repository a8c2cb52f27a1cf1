"""The two ways an emitter walks a lowered flow, each one method per kind chosen by an
exhaustive `match` (sqlglot's generator shape): `TransitionVisitor` per `self.next` form of a
step, `RegionVisitor` per region of the structured body (flowc.targets.lower.regions).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Generic, TypeVar, assert_never

from flowc.compiler.ir import Foreach, Linear, Parallel, Split, Step, Switch
from flowc.targets.lower.regions import (
    ForeachRegion,
    ParallelRegion,
    Region,
    SplitRegion,
    StepRegion,
    SwitchRegion,
)

R = TypeVar("R")


class TransitionVisitor(ABC, Generic[R]):
    """`visit_transition(step)` calls the method for the step's transition kind."""

    def visit_transition(self, step: Step) -> R:
        transition = step.transition
        match transition:
            case None:
                return self.terminal(step)
            case Linear():
                return self.linear(step, transition)
            case Split():
                return self.split(step, transition)
            case Foreach():
                return self.foreach(step, transition)
            case Switch():
                return self.switch(step, transition)
            case Parallel():
                return self.parallel(step, transition)
            case _:
                assert_never(transition)

    @abstractmethod
    def terminal(self, step: Step) -> R: ...

    @abstractmethod
    def linear(self, step: Step, transition: Linear) -> R: ...

    @abstractmethod
    def split(self, step: Step, transition: Split) -> R: ...

    @abstractmethod
    def foreach(self, step: Step, transition: Foreach) -> R: ...

    @abstractmethod
    def switch(self, step: Step, transition: Switch) -> R: ...

    @abstractmethod
    def parallel(self, step: Step, transition: Parallel) -> R: ...


class RegionVisitor(ABC, Generic[R]):
    """`visit_region(region)` calls the method for the region's kind."""

    def visit_region(self, region: Region) -> R:
        match region:
            case StepRegion():
                return self.step_region(region)
            case SplitRegion():
                return self.split_region(region)
            case ForeachRegion():
                return self.foreach_region(region)
            case SwitchRegion():
                return self.switch_region(region)
            case ParallelRegion():
                return self.parallel_region(region)
            case _:
                assert_never(region)

    @abstractmethod
    def step_region(self, region: StepRegion) -> R: ...

    @abstractmethod
    def split_region(self, region: SplitRegion) -> R: ...

    @abstractmethod
    def foreach_region(self, region: ForeachRegion) -> R: ...

    @abstractmethod
    def switch_region(self, region: SwitchRegion) -> R: ...

    @abstractmethod
    def parallel_region(self, region: ParallelRegion) -> R: ...
