"""Pictures of a checked flow, the first two emitters: Mermaid (`flowchart TD`, pasteable in a
README) as `flow.mmd` and Graphviz DOT as `flow.dot`.

Both are pure functions of the lowered flow: steps in topological order (ties by source
order), each foreach body drawn as a nested box, edges in the order the transition names them
(one method per transition kind), node shapes by node kind, and labels on foreach, switch and
parallel edges. No clock, version or environment.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from flowc.compiler.ir import Flow, Foreach, Linear, Parallel, Split, Step, Switch
from flowc.compiler.ir.graph import NodeKind
from flowc.compiler.pipeline import CheckedFlow
from flowc.targets.base import Emitter
from flowc.targets.capabilities import ALL
from flowc.targets.lower import Lowered, lower
from flowc.targets.visitors import TransitionVisitor

# Mermaid shapes by node kind: (opening, closing) around the quoted label.
_MERMAID_SHAPES: dict[NodeKind, tuple[str, str]] = {
    NodeKind.START: ("([", "])"),
    NodeKind.END: ("([", "])"),
    NodeKind.LINEAR: ("[", "]"),
    NodeKind.SPLIT: ("[/", "\\]"),
    NodeKind.JOIN: ("[\\", "/]"),
    NodeKind.FOREACH: ("[[", "]]"),
    NodeKind.PARALLEL: ("[[", "]]"),
    NodeKind.SWITCH: ("{", "}"),
}

# Graphviz node attributes by node kind.
_DOT_SHAPES: dict[NodeKind, str] = {
    NodeKind.START: "shape=ellipse",
    NodeKind.END: "shape=ellipse, peripheries=2",
    NodeKind.LINEAR: "shape=box",
    NodeKind.SPLIT: "shape=trapezium",
    NodeKind.JOIN: "shape=invtrapezium",
    NodeKind.FOREACH: "shape=box3d",
    NodeKind.PARALLEL: "shape=box3d, style=dashed",
    NodeKind.SWITCH: "shape=diamond",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Edge:
    """One arrow of the picture: from a step to a step, with an optional label."""

    source: str
    target: str
    label: str | None = None


class Picture(Emitter, TransitionVisitor[list[Edge]]):
    """What both pictures share: they draw every construct, and the same edges."""

    SUPPORTS = ALL
    file_name: ClassVar[str] = ""

    def emit(self, lowered: Lowered, settings: Any = None) -> dict[str, bytes]:
        return {self.file_name: self.draw(lowered).encode("utf-8")}

    def draw(self, lowered: Lowered) -> str:
        """The picture's text, ending with a newline: the header, every step inside the box
        of its foreach (nested as the loops nest), the edges, the footer."""
        lines = self.header(lowered)
        members = lowered.foreach_scopes

        def steps_in(scope: str | None, indent: str) -> None:
            for name in members.get(scope, ()):
                lines.append(indent + self.node(lowered, name))
                if name in members:
                    lines.extend(indent + line for line in self.open_box(lowered, name))
                    steps_in(name, indent + "    ")
                    lines.append(indent + self.close_box())

        steps_in(None, "    ")
        lines.extend("    " + self.edge(edge) for edge in self.edges(lowered))
        return "\n".join([*lines, *self.footer()]) + "\n"

    @abstractmethod
    def header(self, lowered: Lowered) -> list[str]: ...

    @abstractmethod
    def node(self, lowered: Lowered, name: str) -> str: ...

    @abstractmethod
    def open_box(self, lowered: Lowered, foreach: str) -> list[str]: ...

    @abstractmethod
    def close_box(self) -> str: ...

    @abstractmethod
    def edge(self, edge: Edge) -> str: ...

    def footer(self) -> list[str]:
        return []

    def edges(self, lowered: Lowered) -> tuple[Edge, ...]:
        """Every edge, grouped by source step in topological order."""
        return tuple(edge for lowered_step in lowered.steps.values()
                     for edge in self.visit_transition(lowered_step.step))

    def terminal(self, step: Step) -> list[Edge]:
        return []

    def linear(self, step: Step, transition: Linear) -> list[Edge]:
        return [Edge(source=step.name, target=transition.target)]

    def split(self, step: Step, transition: Split) -> list[Edge]:
        return [Edge(source=step.name, target=branch) for branch in transition.branches]

    def foreach(self, step: Step, transition: Foreach) -> list[Edge]:
        label = f"foreach {transition.items}"
        return [Edge(source=step.name, target=transition.target, label=label)]

    def parallel(self, step: Step, transition: Parallel) -> list[Edge]:
        label = f"num_parallel {transition.num_parallel.source}"
        return [Edge(source=step.name, target=transition.target, label=label)]

    def switch(self, step: Step, transition: Switch) -> list[Edge]:
        """Switch cases with the same target share one edge whose label lists their values."""
        values: dict[str, list[str]] = {}
        for case in transition.cases:
            values.setdefault(case.target, []).append(case.value)
        return [
            Edge(source=step.name, target=target,
                 label=f"{transition.condition} = {' | '.join(names)}")
            for target, names in values.items()
        ]


class MermaidPicture(Picture):
    """A Mermaid `flowchart TD`. Node ids are `step_<name>` because `end` is a Mermaid
    keyword; labels are quoted. Each foreach body is a subgraph titled `foreach <items>`,
    nested as the loops nest."""

    name = "mermaid"
    file_name = "flow.mmd"

    def header(self, lowered: Lowered) -> list[str]:
        return ["flowchart TD"]

    def node(self, lowered: Lowered, name: str) -> str:
        opening, closing = _MERMAID_SHAPES[lowered.graph[name].kind]
        return f'{_mermaid_id(name)}{opening}"{name}"{closing}'

    def open_box(self, lowered: Lowered, foreach: str) -> list[str]:
        title = _mermaid_text(scope_title(lowered.flow, foreach))
        return [f'subgraph fanout_{foreach} ["{title}"]']

    def close_box(self) -> str:
        return "end"

    def edge(self, edge: Edge) -> str:
        arrow = "-->" if edge.label is None else f'-->|"{_mermaid_text(edge.label)}"|'
        return f"{_mermaid_id(edge.source)} {arrow} {_mermaid_id(edge.target)}"


def scope_title(flow: Flow, name: str) -> str:
    """`foreach <items>` for a foreach step, `parallel <n>` for a parallel one."""
    transition = flow.step(name).transition
    if isinstance(transition, Foreach):
        return f"foreach {transition.items}"
    if isinstance(transition, Parallel):
        return f"parallel {transition.num_parallel.source}"
    return name


def _mermaid_id(name: str) -> str:
    return f"step_{name}"


# Mermaid entity codes (`#name;` or `#<decimal>;`) for what would end the quoted label, be
# read as an entity or as HTML, or start a markdown string. `#` goes first.
_MERMAID_ESCAPES = (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"),
                    ("&", "#amp;"), ("`", "#96;"))


def _mermaid_text(text: str) -> str:
    """Label text safe inside Mermaid double quotes: entity codes for the characters Mermaid
    or its HTML labels would interpret, a space for a line break or other control
    character (a raw newline would end the statement)."""
    for char, code in _MERMAID_ESCAPES:
        text = text.replace(char, code)
    return "".join(" " if ord(char) < 32 or char in "\x7f\u2028\u2029" else char
                   for char in text)


class DotPicture(Picture):
    """A Graphviz `digraph`; each foreach body is a dashed cluster titled `foreach <items>`."""

    name = "dot"
    file_name = "flow.dot"

    def header(self, lowered: Lowered) -> list[str]:
        return [
            f"digraph {_dot_quote(lowered.flow.name)} {{",
            "    rankdir=TB;",
            '    graph [fontname="Helvetica", fontsize=11];',
            '    node [fontname="Helvetica"];',
            '    edge [fontname="Helvetica", fontsize=10];',
        ]

    def node(self, lowered: Lowered, name: str) -> str:
        return f"{_dot_quote(name)} [{_DOT_SHAPES[lowered.graph[name].kind]}];"

    def open_box(self, lowered: Lowered, foreach: str) -> list[str]:
        return [f"subgraph {_dot_quote('cluster_' + foreach)} {{",
                f"    label={_dot_quote(scope_title(lowered.flow, foreach))};",
                "    style=dashed;"]

    def close_box(self) -> str:
        return "}"

    def edge(self, edge: Edge) -> str:
        attributes = "" if edge.label is None else f" [label={_dot_quote(edge.label)}]"
        return f"{_dot_quote(edge.source)} -> {_dot_quote(edge.target)}{attributes};"

    def footer(self) -> list[str]:
        return ["}"]


def _dot_quote(text: str) -> str:
    """A DOT quoted string shown as written: Graphviz reads `&name;` entities and backslash
    escapes in labels, so `&` and `\\` are escaped; a line break becomes `\\n`."""
    escaped = text.replace("&", "&amp;").replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")
    return f'"{escaped}"'


def mermaid(checked: CheckedFlow) -> str:
    return MermaidPicture().draw(lower(checked))


def dot(checked: CheckedFlow) -> str:
    return DotPicture().draw(lower(checked))
