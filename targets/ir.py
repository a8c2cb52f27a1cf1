"""The `ir` target: the checked flow's `ir.json`, exactly what `flowc inspect` prints and what
every code package carries (flowc.compiler.ir.serialize)."""

from __future__ import annotations

from typing import Any

from flowc.compiler.ir import dumps
from flowc.targets.base import Emitter
from flowc.targets.capabilities import ALL
from flowc.targets.lower import Lowered


class IRTarget(Emitter):
    name = "ir"
    SUPPORTS = ALL
    file_name = "ir.json"

    def emit(self, lowered: Lowered, settings: Any = None) -> dict[str, bytes]:
        return {self.file_name: dumps(lowered.flow).encode("utf-8")}
