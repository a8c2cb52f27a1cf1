"""YAML text that depends on nothing but the data: a dumper whose representers are pinned
(another library may replace PyYAML's global ones: hera, once imported, writes every
multi-line string as a block), libyaml's emitter when PyYAML has it (the same bytes, much
faster), no aliases, and `Inline` lists written on one line."""

from __future__ import annotations

from typing import Any

import yaml  # type: ignore[import-untyped]

_Base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class Inline(list[str]):
    """A list written on one line (`[python, -P, -m, ...]`): a command reads as one."""


class PinnedDumper(_Base):  # type: ignore[misc, valid-type]
    """Block style, no aliases (every value written out where it is used)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


PinnedDumper.add_representer(str, yaml.representer.SafeRepresenter.represent_str)
PinnedDumper.add_representer(
    Inline, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data,
                                                           flow_style=True))


def dump_all(documents: list[Any], *, width: int = 100) -> str:
    return str(yaml.dump_all(documents, Dumper=PinnedDumper, sort_keys=False,
                             allow_unicode=True, width=width, default_flow_style=False,
                             explicit_start=True))


def dump(document: Any, *, width: int = 100) -> str:
    return str(yaml.dump(document, Dumper=PinnedDumper, sort_keys=False, allow_unicode=True,
                         width=width, default_flow_style=False))
