"""The states of one step: a `Task` state that runs the shim through AWS Batch
(`batch:submitJob.sync`) or ECS (`ecs:runTask.sync`), with the command line built by
`targets.base.shim_command` and the step's typed settings as overrides, `@retry` as `Retry`
and `@timeout` as `TimeoutSeconds`; and, for a step the machine must look into (a foreach's
fan-out, a switch's choice), an `aws-sdk:s3:getObject` state that reads the task's outputs
from the datastore key of the task contract (`.sync` integrations return no stdout).

Every value a task needs at run time comes from the state's context (docs/targets/sfn.md):
`$.flowc` holds the run id (the execution name, read once at the start) and the settings every
task repeats (interpreter, datastore, code package, queue and definition), written once so
that a definition's size does not grow with them; `$.index_path` and `$.task_path` are set by
each enclosing Map, `$.loop` by a switch loop, `$.parameters` is read by the start step only,
and the attempt is `$$.State.RetryCount`. No user string is ever a literal of an intrinsic.
"""

from __future__ import annotations

from typing import Any

from flowc.compiler.ir.decorators import StepSettings
from flowc.runtime_shim.contracts.outputs import FOREACH_ITEMS_FILE, OUTPUTS_FILE
from flowc.runtime_shim.identity import TASK_ID_PREFIX
from flowc.targets.base import shim_command
from flowc.targets.lower import LoweredStep
from flowc.targets.sfn.intrinsics import Dynamic, Ref, format_string
from flowc.targets.sfn.settings import SfnSettings

BATCH = "arn:aws:states:::batch:submitJob.sync"
ECS = "arn:aws:states:::ecs:runTask.sync"
GET_OBJECT = "arn:aws:states:::aws-sdk:s3:getObject"
READ_ITEMS = "arn:aws:states:::s3:getObject"  # a distributed Map's ItemReader
WRITE_RESULTS = "arn:aws:states:::s3:putObject"  # a distributed Map's ResultWriter
MAP_RESULTS = "sfn-map-results"  # under <prefix>/<Flow>/: Step Functions adds the map run

RUN_ID = Ref("$.flowc.run_id")
DATASTORE = Ref("$.flowc.datastore")
CODE_PACKAGE = Ref("$.flowc.code_package")
PYTHON = Ref("$.flowc.python")
KEY_PREFIX = Ref("$.flowc.key_prefix")  # the datastore's prefix and "/", or ""
ORIGIN_RUN = Ref("$.flowc.origin_run_id")
REUSE_STEPS = Ref("$.flowc.reuse_steps")
INDEX_PATH = Ref("$.index_path")
TASK_PATH = Ref("$.task_path")
ITERATION = Ref("$.loop.iteration", text=False)
LOOP_TASK_ID = Ref("$.loop.task_id")
RETRY_COUNT = Ref("$$.State.RetryCount", text=False)
OUTPUTS_PATH = "$.task"  # where a getObject state puts what it read: $.task.outputs.<key>
# A getObject that fails for a passing reason (throttling, a dropped connection) is retried.
READ_RETRY = {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 3,
              "BackoffRate": 2.0}


def command(lowered_step: LoweredStep, settings: StepSettings, sfn: SfnSettings, *,
            parameters: tuple[str, ...]) -> str:
    """The `Command.$` expression: the shim's argv as one `States.Array`."""
    node = lowered_step.node
    dynamic = Dynamic()
    argv = shim_command(
        run_id=dynamic.token(RUN_ID),
        step=lowered_step.name,
        datastore=dynamic.token(DATASTORE),
        code_package=dynamic.token(CODE_PACKAGE),
        index_path=dynamic.token(INDEX_PATH) if node.foreach_depth else (),
        iteration=dynamic.token(ITERATION) if node.is_loop else 0,
        retry_count=dynamic.token(RETRY_COUNT) if settings.retry else 0,
        params=[(name, dynamic.token(Ref(f"$.parameters.{name}"))) for name in parameters],
        param_values_apart=True,
        foreach_items=sfn.map_items == "s3",  # the ItemReader reads the item list
        origin_run_id=dynamic.token(ORIGIN_RUN),
        reuse_steps=dynamic.token(REUSE_STEPS),
        python=dynamic.token(PYTHON),
    )
    return dynamic.array(argv)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _sized(lowered_step: LoweredStep) -> bool:
    """Whether the step asks for its size (@resources, @batch, @kubernetes). A step that
    does not runs with the job (task) definition's vCPU and memory (register it with
    Metaflow's defaults, 1 vCPU and 4096 MiB; docs/targets/sfn.md); leaving them out keeps
    a 2,000-step definition under Step Functions' 1 MB."""
    return any(lowered_step.step.decorator(name) is not None
               for name in ("resources", "batch", "kubernetes"))


def _environment(settings: StepSettings) -> list[dict[str, str]]:
    return [{"Name": key, "Value": value} for key, value in settings.environment.variables]


def _batch_parameters(lowered_step: LoweredStep, settings: StepSettings, sfn: SfnSettings,
                      job_name: str, argv: str) -> dict[str, Any]:
    sizing = settings.resources
    overrides: dict[str, Any] = {"Command.$": argv}
    environment = _environment(settings)
    if environment:
        overrides["Environment"] = environment
    if _sized(lowered_step):
        requirements = [{"Type": "VCPU", "Value": _number(sizing.cpu)},
                        {"Type": "MEMORY", "Value": str(sizing.memory_mb)}]
        if sizing.gpu:
            requirements.append({"Type": "GPU", "Value": str(sizing.gpu)})
        overrides["ResourceRequirements"] = requirements
    parameters: dict[str, Any] = {"JobName": job_name}
    if settings.batch and settings.batch.queue:
        parameters["JobQueue"] = settings.batch.queue
    else:
        parameters["JobQueue.$"] = "$.flowc.job_queue"
    parameters["JobDefinition.$"] = "$.flowc.job_definition"
    parameters["ContainerOverrides"] = overrides
    return parameters


def _ecs_parameters(lowered_step: LoweredStep, settings: StepSettings, sfn: SfnSettings,
                    argv: str) -> dict[str, Any]:
    sizing = settings.resources
    container: dict[str, Any] = {"Name": sfn.container_name, "Command.$": argv}
    environment = _environment(settings)
    if environment:
        container["Environment"] = environment
    if _sized(lowered_step):
        container["Cpu"] = round(sizing.cpu * 1024)
        container["Memory"] = sizing.memory_mb
    if _sized(lowered_step) and sizing.gpu:
        container["ResourceRequirements"] = [{"Type": "GPU", "Value": str(sizing.gpu)}]
    overrides: dict[str, Any] = {"ContainerOverrides": [container]}
    if sfn.task_role:
        overrides["TaskRoleArn"] = sfn.task_role
    parameters: dict[str, Any] = {"Cluster.$": "$.flowc.cluster",
                                  "TaskDefinition.$": "$.flowc.task_definition",
                                  "LaunchType": sfn.launch_type}
    if sfn.subnets or sfn.security_groups:
        vpc: dict[str, Any] = {}
        if sfn.subnets:
            vpc["Subnets"] = list(sfn.subnets)
        if sfn.security_groups:
            vpc["SecurityGroups"] = list(sfn.security_groups)
        vpc["AssignPublicIp"] = "ENABLED" if sfn.assign_public_ip else "DISABLED"
        parameters["NetworkConfiguration"] = {"AwsvpcConfiguration": vpc}
    parameters["Overrides"] = overrides
    return parameters


def task_state(lowered_step: LoweredStep, settings: StepSettings, sfn: SfnSettings, *,
               job_name: str, parameters: tuple[str, ...]) -> dict[str, Any]:
    """The `Task` state of a step (without its `Next`/`End`). Its result (the job's
    description) is dropped: `ResultPath: null` keeps the context as it was."""
    argv = command(lowered_step, settings, sfn, parameters=parameters)
    state: dict[str, Any] = {"Type": "Task"}
    if sfn.compute == "ecs":
        state["Resource"] = ECS
        state["Parameters"] = _ecs_parameters(lowered_step, settings, sfn, argv)
    else:
        state["Resource"] = BATCH
        state["Parameters"] = _batch_parameters(lowered_step, settings, sfn, job_name, argv)
    state["ResultPath"] = None
    if settings.timeout:
        state["TimeoutSeconds"] = settings.timeout.seconds
    if settings.retry and settings.retry.times:
        # Metaflow waits the same interval before every retry: a BackoffRate of 1.0 (written
        # as a float: statelint 3.1 refuses an integer rate).
        state["Retry"] = [{"ErrorEquals": ["States.ALL"],
                           "IntervalSeconds": max(1, settings.retry.delay_s),
                           "MaxAttempts": settings.retry.times, "BackoffRate": 1.0}]
    return state


def _task_key(flow: str, lowered_step: LoweredStep, sfn: SfnSettings, file: str) -> str:
    """`States.Format` of the S3 key of a file in the task's folder of the datastore."""
    pieces: list[str | Ref] = [KEY_PREFIX, f"{flow}/runs/", RUN_ID, f"/{lowered_step.name}/"]
    if lowered_step.node.is_loop:
        pieces.append(LOOP_TASK_ID)
    else:
        pieces += [TASK_ID_PREFIX, TASK_PATH]
    pieces.append(f"/{file}")
    return format_string(pieces)


def items_reader(flow: str, lowered_step: LoweredStep, sfn: SfnSettings) -> dict[str, Any]:
    """The ItemReader of a distributed Map over the foreach task's item list (the task
    contract's `foreach_items_key`): any number of items, none of them in the state."""
    return {"Resource": READ_ITEMS, "ReaderConfig": {"InputType": "JSON"},
            "Parameters": {"Bucket": sfn.bucket_and_prefix[0],
                           "Key.$": _task_key(flow, lowered_step, sfn, FOREACH_ITEMS_FILE)}}


def results_writer(flow: str, sfn: SfnSettings) -> dict[str, Any]:
    bucket, prefix = sfn.bucket_and_prefix
    head = f"{prefix}/" if prefix else ""
    return {"Resource": WRITE_RESULTS,
            "Parameters": {"Bucket": bucket, "Prefix": f"{head}{flow}/{MAP_RESULTS}"}}


def outputs_state(flow: str, lowered_step: LoweredStep, sfn: SfnSettings) -> dict[str, Any]:
    """The state that reads the step's outputs JSON (task contract, "Outputs for the
    orchestrator") into `$.task.outputs`. The key is `<prefix>/<Flow>/runs/<run>/<step>/
    <task id>/outputs.json`; inside a switch loop the task id is `$.loop.task_id`."""
    key = _task_key(flow, lowered_step, sfn, OUTPUTS_FILE)
    return {"Type": "Task", "Resource": GET_OBJECT,
            "Parameters": {"Bucket": sfn.bucket_and_prefix[0], "Key.$": key},
            "ResultSelector": {"outputs.$": "States.StringToJson($.Body)"},
            "ResultPath": OUTPUTS_PATH, "Retry": [dict(READ_RETRY)]}
