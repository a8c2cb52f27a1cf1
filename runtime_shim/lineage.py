"""Which parent tasks a task reads, derived from the IR's graph and the records in the datastore.

The orchestrator passes only (step, index path, iteration). From that:
- a step after a foreach/parallel join reads the join's index path truncated to its depth;
- a foreach join reads the children of its foreach task, `foreach_cardinality` of them;
- a static split join reads each in-step's task (in source order) at its own index path;
- a step with several in-steps (after a switch) reads the one that has a record;
- after a self-looping switch step, its highest iteration with a record is read;
- the looping step at iteration k > 0 reads itself at k - 1.
A parent that should exist and has no record is an InfraError (exit 3).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flowc.compiler.ir.graph import FANOUT_KINDS, FlowGraph, NodeKind
from flowc.runtime_shim.errors import InfraError
from flowc.runtime_shim.identity import task_id
from flowc.runtime_shim.records import TaskRecord, TaskStore


@dataclass(slots=True)
class RecordReader:
    """Reads records of one run, each at most once."""

    store: TaskStore
    run_id: str
    _cache: dict[tuple[str, str], TaskRecord | None] = field(default_factory=dict)

    def read(self, step: str, index_path: tuple[int, ...], iteration: int = 0) -> TaskRecord | None:
        key = (step, task_id(index_path, iteration))
        if key not in self._cache:
            self._cache[key] = self.store.read_record(self.run_id, step, key[1])
        return self._cache[key]

    def require(self, step: str, index_path: tuple[int, ...], iteration: int = 0) -> TaskRecord:
        record = self.read(step, index_path, iteration)
        if record is None:
            where = f"{self.store.flow}/{self.run_id}/{step}/{task_id(index_path, iteration)}"
            raise InfraError(f"parent task {where} has no record (it did not finish)")
        return record

    def latest(self, step: str, index_path: tuple[int, ...]) -> TaskRecord | None:
        """The record of the highest iteration of a looping step (iterations are contiguous)."""
        if self.read(step, index_path, 0) is None:
            return None
        low, high = 0, 1
        while self.read(step, index_path, high) is not None:  # exponential probe ...
            low, high = high, high * 2
        while high - low > 1:  # ... then bisect: low has a record, high has none
            middle = (low + high) // 2
            if self.read(step, index_path, middle) is not None:
                low = middle
            else:
                high = middle
        return self.read(step, index_path, low)

    def current(
        self, graph: FlowGraph, step: str, index_path: tuple[int, ...]
    ) -> TaskRecord | None:
        """The record a successor reads: the latest iteration of a loop, else iteration 0."""
        if graph[step].is_loop:
            return self.latest(step, index_path)
        return self.read(step, index_path)


def parent_records(
    graph: FlowGraph, reader: RecordReader, step: str, index_path: tuple[int, ...], iteration: int
) -> tuple[TaskRecord, ...]:
    """The records of the tasks this task reads, in input order (see the module docstring)."""
    node = graph[step]
    if node.is_loop and iteration > 0:
        return (reader.require(step, index_path, iteration - 1),)
    if node.kind is NodeKind.JOIN and node.joined_split is not None:
        if graph[node.joined_split].kind in FANOUT_KINDS:
            return _foreach_join_inputs(graph, reader, step, node.joined_split, index_path)
        return _split_join_inputs(graph, reader, step, index_path)
    if not node.in_steps:
        return ()
    if len(node.in_steps) == 1:
        parent = node.in_steps[0]
        path = index_path[: graph[parent].foreach_depth]
        record = reader.current(graph, parent, path)
        if record is None:
            reader.require(parent, path)  # raises with the parent's name
        assert record is not None
        return (record,)
    found = [
        record
        for parent in node.in_steps
        if (record := reader.current(graph, parent, index_path[: graph[parent].foreach_depth]))
    ]
    if not found:
        names = ", ".join(node.in_steps)
        raise InfraError(f"step '{step}' has no finished parent task (no record for {names})")
    return (max(found, key=lambda record: record.finished_at),)


def _foreach_join_inputs(
    graph: FlowGraph, reader: RecordReader, step: str, foreach: str, index_path: tuple[int, ...]
) -> tuple[TaskRecord, ...]:
    fanout = reader.require(foreach, index_path)
    count = fanout.foreach_cardinality
    if count is None:
        raise InfraError(f"foreach task {fanout.pathspec} has no foreach cardinality in its record")
    inputs = []
    for index in range(count):
        child = (*index_path, index)
        found = [r for s in graph[step].in_steps if (r := reader.current(graph, s, child))]
        if not found:
            last = graph[step].in_steps[0]
            reader.require(last, child)  # raises, naming the missing child
        inputs.append(found[0])
    return tuple(inputs)


def _split_join_inputs(
    graph: FlowGraph, reader: RecordReader, step: str, index_path: tuple[int, ...]
) -> tuple[TaskRecord, ...]:
    node = graph[step]
    # With a switch directly inside the split, only the branch taken has a record.
    has_switch = any(
        other.kind is NodeKind.SWITCH and other.split_parents == node.split_parents
        for other in graph.nodes.values()
    )
    inputs = []
    for parent in node.in_steps:
        path = index_path[: graph[parent].foreach_depth]
        record = reader.current(graph, parent, path)
        if record is None and not has_switch:
            reader.require(parent, path)
        if record is not None:
            inputs.append(record)
    if not inputs:
        raise InfraError(f"join '{step}' has no finished input task")
    return tuple(inputs)
