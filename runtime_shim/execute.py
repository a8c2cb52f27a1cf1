"""Run one task: load the code, derive the inputs, run the step method, save what it produced.

The order is fixed by the task contract: artifacts are saved first, then the logs, and the
record is written last and atomically, so a task without a record did not happen.
Everything but (step, index path, iteration, retry count, parameters) comes from the IR and
the datastore.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowc.compiler.ir import Step
from flowc.compiler.ir.graph import FlowGraph, NodeKind
from flowc.runtime_shim import persist, transitions
from flowc.runtime_shim.api import FlowSpec
from flowc.runtime_shim.caught import CaughtException
from flowc.runtime_shim.clone import clone_task
from flowc.runtime_shim.context import class_constants, foreach_levels, task_parameters
from flowc.runtime_shim.current import TaskContext, current
from flowc.runtime_shim.datastore.base import DatastoreError
from flowc.runtime_shim.errors import InfraError, ShimError, UsageError, UserError
from flowc.runtime_shim.identity import task_id
from flowc.runtime_shim.inputs import Inputs
from flowc.runtime_shim.lineage import RecordReader, parent_records
from flowc.runtime_shim.loader import LoadedCode, code_dir_from_package, load_code, read_ir
from flowc.runtime_shim.logs import TaskLogs
from flowc.runtime_shim.outputs import write_outputs_key
from flowc.runtime_shim.records import ArtifactRef, TaskRecord, TaskStore
from flowc.runtime_shim.spec import StepBinding
from flowc.runtime_shim.storage import DATASTORE_ENV, open_store_url
from flowc.runtime_shim.tracebacks import user_traceback

if TYPE_CHECKING:
    from flowc.compiler.ir.decorators import StepSettings


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskRequest:
    """A parsed shim command line (see docs/task-contract.md)."""

    step: str
    run_id: str
    datastore: str
    code_package: str | None = None
    code_dir: str | None = None
    index_path: tuple[int, ...] = ()
    iteration: int = 0
    retry_count: int = 0
    params: tuple[str, ...] = ()
    outputs_dir: str | None = None
    xcom_file: str | None = None
    # resume on an orchestrator: the origin run, and the steps whose tasks it lends
    origin_run_id: str | None = None
    foreach_items: bool = False  # also store a foreach task's item list (Step Functions)
    reuse_steps: tuple[str, ...] = ()

    @property
    def task_id(self) -> str:
        return task_id(self.index_path, self.iteration)


def check_request(request: TaskRequest, graph: FlowGraph, flow_name: str) -> None:
    """UsageError for a step, index path, iteration or parameter the IR does not allow."""
    if request.step not in graph:
        known = ", ".join(graph.topological_order)
        raise UsageError(f"unknown step '{request.step}' in flow {flow_name} (steps: {known})")
    node = graph[request.step]
    if len(request.index_path) != node.foreach_depth:
        raise UsageError(
            f"step '{request.step}' is inside {node.foreach_depth} foreach(es): --index-path "
            f"needs {node.foreach_depth} indices, got {len(request.index_path)}"
        )
    if request.iteration and not node.is_loop:
        raise UsageError(f"--iteration is only for a step that loops to itself, not "
                         f"'{request.step}'")
    if request.params and request.step != graph.start:
        raise UsageError(f"--param is only for the start step '{graph.start}'")
    unknown = [name for name in request.reuse_steps if name not in graph]
    if unknown:
        raise UsageError(f"--reuse-steps names no step of flow {flow_name}: "
                         f"{', '.join(unknown)}")


def _code_dir(request: TaskRequest, datastore: Any) -> Path:
    if request.code_dir is None:
        assert request.code_package is not None
        return code_dir_from_package(datastore, request.code_package)
    code_dir = Path(request.code_dir)
    if not code_dir.is_dir():
        raise InfraError(f"code directory '{code_dir}' does not exist")
    return code_dir


def run_task(request: TaskRequest, logs: TaskLogs | None, tempdir: str) -> TaskRecord:
    """Run the task end to end and return its (written) record; raises ShimError.

    The invocation is checked against the IR before the user's module is imported; from
    then on the logs are stored even when the task fails.
    """
    started = time.time()
    datastore = open_store_url(request.datastore)
    # the results client (`from flowc import Flow`, Metaflow's `Flow` under the alias) reads
    # the datastore this task runs in, not `./.flowc` of whatever directory it started in
    os.environ[DATASTORE_ENV] = datastore.url
    code_dir = _code_dir(request, datastore)
    flow = read_ir(code_dir)
    graph = FlowGraph.build(flow)
    check_request(request, graph, flow.name)
    settings = _settings(flow.step(request.step))
    store = TaskStore(datastore, flow.name)
    if request.origin_run_id and request.step in request.reuse_steps:
        cloned = clone_task(store, request.origin_run_id, request.run_id, request.step,
                            request.task_id, foreach_items=request.foreach_items)
        if cloned is not None:  # the user's code is not even imported
            print(f"flowc: reused {flow.name}/{request.origin_run_id}/{request.step}/"
                  f"{request.task_id}: it finished in the origin run", file=sys.stderr)
            return cloned
    try:
        # @environment is set before the import, so module-level code sees it too
        if settings is not None:
            os.environ.update(settings.environment.variables)
        code = load_code(code_dir, flow)
        return _run(request, code, graph, store, logs, tempdir, started, settings)
    except BaseException:
        try:
            _upload_logs(store, request, logs)
        except ShimError as exc:  # keep the task's own error; say why the logs are missing
            print(f"flowc: {exc}", file=sys.stderr)
        raise


def _run(request: TaskRequest, code: LoadedCode, graph: FlowGraph, store: TaskStore,
         logs: TaskLogs | None, tempdir: str, started: float,
         settings: StepSettings | None) -> TaskRecord:
    flow, step = code.flow, code.flow.step(request.step)
    node = graph[request.step]
    method = getattr(code.flow_class, request.step, None)
    if not callable(method):
        raise InfraError(f"{flow.path} has no step method '{request.step}' in {flow.name} "
                         "(code and ir.json differ)")
    reader = RecordReader(store, request.run_id)
    parents = parent_records(graph, reader, request.step, request.index_path, request.iteration)
    parameters = task_parameters(request.params, code) if request.step == graph.start else None
    inherited: dict[str, ArtifactRef] = {}
    constants = class_constants(code.flow_class)  # artifacts of every task, as in Metaflow
    if node.kind is NodeKind.JOIN:  # a join inherits only the parameters and the constants
        attrs = {p.attribute for p in flow.parameters} | set(constants)
        source = parents[0] if parents else reader.read(graph.start or "start", ())
        if source is not None:
            inherited = {k: v for k, v in source.artifacts.items() if k in attrs}
    elif parents:
        inherited = dict(parents[0].artifacts)
    binding = StepBinding(
        step=request.step, store=store, inherited=inherited, parameters=parameters,
        index_path=request.index_path,
        foreach_levels=foreach_levels(graph, reader, flow, request.step, request.index_path),
        is_join=step.is_join,
    )
    instance = binding.bind(code.flow_class.__new__(code.flow_class))
    current._bind(TaskContext(
        flow_name=flow.name, run_id=request.run_id, step_name=request.step,
        task_id=request.task_id, retry_count=request.retry_count,
        origin_run_id=request.origin_run_id,
        parameter_names=tuple(sorted(p.attribute for p in flow.parameters)), tempdir=tempdir,
    ))
    args = (Inputs(parents, store),) if step.is_join else ()
    caught = _call_step(step, settings, method, instance, args, request.retry_count)
    outcome = transitions.resolve(step, binding.next_call, lambda n: binding.lookup(instance, n),
                                  caught=caught is not None)
    values = persist.task_values(instance, binding, caught)
    if request.step == graph.start:  # stored once, then inherited like the parameters
        values = {**constants, **values}
    artifacts = persist.save_artifacts(request.step, store, binding, values)
    _upload_logs(store, request, logs)
    record = TaskRecord(
        flow=flow.name, run_id=request.run_id, step=request.step, task_id=request.task_id,
        index_path=request.index_path, iteration=request.iteration,
        attempt=request.retry_count, status="caught" if caught else "ok", artifacts=artifacts,
        foreach_cardinality=outcome.foreach_cardinality, switch_choice=outcome.switch_choice,
        switch_target=outcome.switch_target,
        parents=tuple(f"{p.step}/{p.task_id}" for p in parents),
        started_at=started, finished_at=time.time(),
        logs=persist.log_keys(store, request.run_id, request.step, request.task_id,
                              request.retry_count) if logs is not None else {},
    )
    try:
        store.write_record(record)
    except Exception as exc:
        raise InfraError(f"cannot write the task record: {exc}") from exc
    try:  # after the record: outputs that exist always describe a finished task
        write_outputs_key(store.datastore, record, foreach_items=request.foreach_items)
    except Exception as exc:
        raise InfraError(f"cannot write the task's outputs: {exc}") from exc
    return record


def _settings(step: Step) -> StepSettings | None:
    """The step's typed settings (@retry, @catch, @environment), None when it has no
    decorators: then the task does not load the settings' module at all."""
    if not step.decorators:
        return None
    from flowc.compiler.ir.decorators import SettingsError, step_settings

    try:
        return step_settings(step)
    except SettingsError as exc:
        raise UsageError(f"the IR was not checked: {exc}") from exc


def _print_user_traceback(exc: BaseException) -> None:
    """The traceback from the user's step method down (the shim's own frames left out)."""
    traceback.print_exception(type(exc), exc, user_traceback(exc))


def _call_step(step: Step, settings: StepSettings | None, method: Any, instance: FlowSpec,
               args: tuple[Any, ...], retry_count: int) -> tuple[str, CaughtException] | None:
    """Run the step; None on success, (var, exception record) when `@catch` caught it.

    As in Metaflow, `@catch` sets its var to None on success and catches only on the last
    attempt: an earlier attempt fails (exit 1) so that the orchestrator retries it. A step
    that fails because one of its artifacts could not be read (a corrupt blob, an
    unreachable datastore) is an infrastructure failure (exit 3), never caught.
    """
    catch = settings.catch if settings is not None else None
    retry = settings.retry if settings is not None else None
    var = catch.var if catch is not None else None
    try:
        method(instance, *args)
    except KeyboardInterrupt as exc:  # the task is stopped, not failed: no @catch, no retry
        _print_user_traceback(exc)
        raise
    except (Exception, SystemExit) as exc:
        unreadable = _datastore_failure(exc)
        if unreadable is not None:
            _print_user_traceback(exc)
            raise InfraError(f"step '{step.name}' could not read an artifact: "
                             f"{unreadable}") from exc
        retries = retry.times if retry is not None else 0
        if catch is None or retry_count < retries:
            _print_user_traceback(exc)
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            later = f" (attempt {retry_count} of {retries}; @catch applies to the last)" if (
                catch is not None) else ""
            raise UserError(f"step '{step.name}' raised {type(exc).__name__}"
                            + (f": {detail}" if detail else "") + later) from exc
        if catch.print_exception:
            _print_user_traceback(exc)
        record = CaughtException.from_exception(exc, step.name)
        print(f"@catch: step '{step.name}' raised {record}; "
              + (f"stored in '{var}'" if var else "continuing"), file=sys.stderr)
        return (var or "", record)
    if var:
        instance.__dict__[var] = None
    return None


def _datastore_failure(exc: BaseException) -> DatastoreError | None:
    """The datastore failure behind `exc` (itself, its cause or its context, however deep):
    a step's lazy read of an artifact raises inside the user's code, even when the user's
    code turned it into another exception, and it is still the infrastructure's failure."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, DatastoreError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _upload_logs(store: TaskStore, request: TaskRequest, logs: TaskLogs | None) -> None:
    persist.upload_logs(store, request.run_id, request.step, request.task_id,
                        request.retry_count, logs)
