"""The IR package: the nodes (`nodes`), their `ir.json` form (`serialize`) and the graph facts
derived from them (`graph`). Standard library only: it is all of the compiler that a task
loads (docs/architecture.md).
"""

from __future__ import annotations

from flowc.compiler.ir.nodes import (
    IR_VERSION,
    PARAMETER_TYPES,
    Argument,
    Decorator,
    Flow,
    Foreach,
    JsonValue,
    Linear,
    Parallel,
    Parameter,
    ParameterType,
    Span,
    Split,
    Step,
    Switch,
    SwitchCase,
    Transition,
    Value,
    literal_to_python,
)
from flowc.compiler.ir.serialize import IRFormatError, dumps, loads, to_json_data

__all__ = [
    "Argument",
    "Decorator",
    "Flow",
    "Foreach",
    "IR_VERSION",
    "JsonValue",
    "Linear",
    "PARAMETER_TYPES",
    "Parallel",
    "Parameter",
    "ParameterType",
    "Span",
    "Split",
    "Step",
    "Switch",
    "SwitchCase",
    "Transition",
    "Value",
    "literal_to_python",
    "IRFormatError",
    "dumps",
    "loads",
    "to_json_data",
]
