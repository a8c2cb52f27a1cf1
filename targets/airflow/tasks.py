"""One task per step, in either operator form: the shim's command line (built by
`targets.base.shim_command` with Airflow's Jinja placeholders), and the step's settings as
operator arguments: KubernetesPodOperator fields (image, resources, env, secrets, node
selector, tolerations, labels), `@retry` as `retries`/`retry_delay`, `@timeout` as
`execution_timeout`. Values arrive as Python source (flowc.targets.airflow.literals)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flowc.compiler.ir.decorators import StepSettings
from flowc.targets.airflow.literals import py, string, templated
from flowc.targets.airflow.names import ORIGIN_RUN_PARAM, REUSE_STEPS_PARAM
from flowc.targets.airflow.settings import AirflowSettings
from flowc.targets.argo.container import resources
from flowc.targets.base import shim_command

RUN_ID = "{{ run_id }}"  # the shim takes Airflow's run ids as they are (docs/task-contract.md)
TRY = "{{ ti.try_number - 1 }}"  # Airflow counts tries from 1, the shim attempts from 0
XCOM_FILE = "/airflow/xcom/return.json"  # where KubernetesPodOperator's sidecar reads XCom
LENIENT = "none_failed_min_one_success"
# shim_command takes strings; these stand for the module's names in the rendered argv.
_NAMES = {"\0datastore": "DATASTORE", "\0code": "CODE_PACKAGE", "\0index": "index_path",
          "\0python": "PYTHON", "\0xcom": "XCOM"}


@dataclass(frozen=True, slots=True, kw_only=True)
class StepTask:
    """What a step's task needs from the DAG around it."""

    step: str
    mapped: bool  # inside a mapped task group: its index path is the group's argument
    parameters: Mapping[str, str]  # flow parameter -> its type, for the start step only
    pushes: bool  # its outputs are read (a foreach or switch step)
    lenient: bool  # it runs when some of its upstream tasks were skipped (after a switch)
    outlet: str | None = None  # the asset the end step updates when it succeeds


def param_value(name: str, kind: str, separator: str | None) -> str:
    """The Jinja that writes a DAG param as the raw string the shim decodes (the inverse of
    the shim's decoding, like `encode_parameter`): a list parameter is a string already."""
    key = f"params[{name!r}]"  # a parameter name has no quote ([A-Za-z0-9_-])
    if kind == "bool" and not separator:
        return f"{{{{ {key} | lower }}}}"
    if kind == "json" and not separator:
        return f"{{{{ {key} | json }}}}"  # the DAG's filter: json.dumps keeps key order
    return f"{{{{ {key} }}}}"


def argv_lines(argv: tuple[str, ...]) -> list[str]:
    """The command line as Python source lines: the program and its subcommand on the first,
    then each `--option value` on its own line."""
    def word(item: str) -> str:
        return _NAMES[item] if item in _NAMES else string(item)
    head = argv.index("--run-id")
    lines = [", ".join(word(item) for item in argv[:head])]
    rest = argv[head:]
    for position in range(0, len(rest), 2):
        lines.append(", ".join(word(item) for item in rest[position:position + 2]))
    return lines


def command(task: StepTask, settings: AirflowSettings, kubernetes: bool) -> tuple[str, ...]:
    params = [(name, param_value(name, kind, separator))
              for name, (kind, separator) in task.parameters.items()]
    return shim_command(
        run_id=RUN_ID, step=task.step, datastore="\0datastore", code_package="\0code",
        index_path="\0index" if task.mapped else (), retry_count=TRY, params=params,
        xcom_file="\0xcom" if kubernetes and task.pushes else None,
        origin_run_id=f"{{{{ params[{ORIGIN_RUN_PARAM!r}] }}}}",
        reuse_steps=f"{{{{ params[{REUSE_STEPS_PARAM!r}] }}}}",
        python="\0python")


def _common(task: StepTask, step: StepSettings) -> list[tuple[str, str]]:
    options = []
    if step.retry:
        options.append(("retries", str(step.retry.times)))
        options.append(("retry_delay", f"timedelta(seconds={step.retry.delay_s})"))
    if step.timeout:
        options.append(("execution_timeout", f"timedelta(seconds={step.timeout.seconds})"))
    if task.lenient:
        options.append(("trigger_rule", string(LENIENT)))
    if task.outlet:
        options.append(("outlets", f"[Asset({string(task.outlet)})]"))
    return options


def local_options(task: StepTask, step: StepSettings) -> list[tuple[str, str]]:
    """`run_step.override(...)` arguments of the local form."""
    return _common(task, step)


def kubernetes_options(task: StepTask, step: StepSettings,
                       settings: AirflowSettings) -> list[tuple[str, str]]:
    """KubernetesPodOperator arguments beside task_id, cmds and arguments."""
    kubernetes = step.kubernetes
    image = kubernetes.image if kubernetes and kubernetes.image else None
    options = [("image", templated(image) if image else "IMAGE")]
    namespace = (kubernetes.namespace if kubernetes else None) or settings.namespace
    if namespace:
        options.append(("namespace", templated(namespace)))
    account = (kubernetes.service_account if kubernetes else None) or settings.service_account
    if account:
        options.append(("service_account_name", string(account)))
    policy = (kubernetes.image_pull_policy if kubernetes else None) or settings.image_pull_policy
    if policy:
        options.append(("image_pull_policy", string(policy)))
    pull_secrets = (*settings.image_pull_secrets,
                    *(kubernetes.image_pull_secrets if kubernetes else ()))
    if pull_secrets:
        options.append(("image_pull_secrets", "[" + ", ".join(
            f"k8s.V1LocalObjectReference(name={string(name)})"
            for name in dict.fromkeys(pull_secrets)) + "]"))
    if settings.kubernetes_conn_id:
        options.append(("kubernetes_conn_id", templated(settings.kubernetes_conn_id)))
    if step.environment.variables:
        options.append(("env_vars", py(dict(step.environment.variables), template=True)))
    secret_names = (*step.secrets.sources, *(kubernetes.secrets if kubernetes else ()))
    if secret_names:
        options.append(("secrets", "[" + ", ".join(
            f"Secret(\"env\", None, {string(name)})"
            for name in dict.fromkeys(secret_names)) + "]"))
    sizing = resources(step)
    limits = f", limits={py(sizing['limits'])}" if "limits" in sizing else ""
    options.append(("container_resources",
                    f"k8s.V1ResourceRequirements(requests={py(sizing['requests'])}{limits})"))
    if kubernetes and kubernetes.node_selector:
        options.append(("node_selector", py(dict(kubernetes.node_selector), template=True)))
    if kubernetes and kubernetes.tolerations:
        options.append(("tolerations", py([dict(t) for t in kubernetes.tolerations])))
    if kubernetes and kubernetes.labels:
        options.append(("labels", py(dict(kubernetes.labels), template=True)))
    if kubernetes and kubernetes.annotations:
        options.append(("annotations", py(dict(kubernetes.annotations), template=True)))
    options += _common(task, step)
    options.append(("do_xcom_push", "True" if task.pushes else "False"))
    return options

