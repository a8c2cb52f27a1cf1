"""Deploying to and triggering on Argo Workflows: the documents of the compiled `argo.yaml`
(WorkflowTemplate, CronWorkflow, Sensor) created or updated through the Argo Server REST API,
a CronWorkflow or Sensor the flow no longer has deleted, and a Workflow submitted from the
template.

Each deployed object carries the annotation `flowc.dev/fingerprint`, a digest of the compiled
document; an object whose annotation matches is left alone (deploying twice changes nothing),
so the comparison never depends on what the server adds. Settings (docs/deploy.md): `server`,
`namespace` (default `default`), `verify_tls`, and the token in `$ARGO_TOKEN` or `token_file`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowc.targets.deploy.code import CodePackage, Prepared, parameter_values
from flowc.targets.deploy.errors import DeployError, missing_setting
from flowc.targets.deploy.plan import Deployment, Found, Resource, Triggered, fingerprint

if TYPE_CHECKING:
    from flowc.targets.deploy.argo_api import ArgoApi, ArgoConnection

FINGERPRINT = "flowc.dev/fingerprint"
MANAGED_BY = "app.kubernetes.io/managed-by"
TOKEN_ENV = "ARGO_TOKEN"
DEFAULT_NAMESPACE = "default"
KINDS = ("WorkflowTemplate", "CronWorkflow", "Sensor")


def connection(settings: Any, environ: Mapping[str, str]) -> tuple[ArgoConnection | None,
                                                                    list[str]]:
    """The connection the settings describe, or None and what is missing."""
    from flowc.targets.deploy.argo_api import ArgoConnection

    if not settings.server:
        return None, [missing_setting("argo", "server", "the Argo Server URL, "
                                      "e.g. https://argo.example.com:2746")]
    if not settings.server.startswith(("http://", "https://")):
        raise DeployError(f"setting 'server' is {settings.server!r}: give the Argo Server's URL "
                          "with its scheme (https://host:2746)")
    return ArgoConnection(server=settings.server.rstrip("/"),
                          namespace=settings.namespace or DEFAULT_NAMESPACE,
                          token=_token(settings, environ),
                          verify_tls=settings.verify_tls), []


def _token(settings: Any, environ: Mapping[str, str]) -> str | None:
    """The bearer token, without its "Bearer " prefix: $ARGO_TOKEN, else `token_file`."""
    text = environ.get(TOKEN_ENV)
    if not text and settings.token_file:
        try:
            text = Path(settings.token_file).expanduser().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise DeployError(f"cannot read the Argo token file {settings.token_file} (setting "
                              f"'token_file'): {reason}") from None
    text = (text or "").strip()
    if text.lower().startswith("bearer "):
        text = text[len("bearer "):].strip()
    return text or None


class ArgoObject(Resource):
    """One document of argo.yaml on the Argo Server (`document` None: the flow no longer has
    it, and an existing one made by flowc is deleted)."""

    def __init__(self, kind: str, object_name: str, document: dict[str, Any] | None,
                 api: _LazyApi, namespace: str) -> None:
        self.kind = kind
        self.object_name = object_name
        self.api = api
        self.namespace = namespace
        self.document = None if document is None else annotated(document)

    @property
    def name(self) -> str:
        return f"{self.namespace}/{self.object_name}"

    @property
    def wanted(self) -> bool:
        return self.document is not None

    @property
    def wanted_fingerprint(self) -> str:
        assert self.document is not None
        return str(self.document["metadata"]["annotations"][FINGERPRINT])

    def planned_calls(self) -> tuple[str, ...]:
        from flowc.targets.deploy.argo_api import call_text

        get = call_text("GET", self.kind, self.namespace, self.object_name)
        if self.document is None:
            delete = call_text("DELETE", self.kind, self.namespace, self.object_name)
            return (get, f"{delete} if it exists (the flow no longer has one)")
        return (get, f"{call_text('POST', self.kind, self.namespace)} if it does not exist",
                f"{call_text('PUT', self.kind, self.namespace, self.object_name)} if it differs")

    def shown(self) -> str | None:
        from flowc.targets.yaml_text import dump_all

        return None if self.document is None else dump_all([self.document]).rstrip("\n")

    def read(self) -> Found | None:
        current = self.api().get(self.kind, self.object_name)
        if current is None:
            return None
        metadata = current.get("metadata") or {}
        return Found(fingerprint=(metadata.get("annotations") or {}).get(FINGERPRINT),
                     handle=metadata)

    def create(self) -> None:
        assert self.document is not None
        self.api().create(self.kind, self.document)

    def update(self, found: Found) -> None:
        assert self.document is not None
        document = copy.deepcopy(self.document)
        version = found.handle.get("resourceVersion")
        if version:
            document["metadata"]["resourceVersion"] = version
        self.api().update(self.kind, document)

    def delete(self, found: Found) -> None:
        if (found.handle.get("labels") or {}).get(MANAGED_BY) != "flowc":
            raise DeployError(f"{self.kind} {self.name} exists but flowc did not make it (no "
                              f"{MANAGED_BY}=flowc label); the flow no longer needs it: delete "
                              "it yourself")
        self.api().delete(self.kind, self.object_name)


class _LazyApi:
    """The API client, made on first use (a dry run never makes one)."""

    def __init__(self, connection: ArgoConnection | None) -> None:
        self.connection = connection
        self.client: ArgoApi | None = None

    def __call__(self) -> ArgoApi:
        from flowc.targets.deploy.argo_api import ArgoApi

        assert self.connection is not None, "a deploy with missing settings never calls"
        if self.client is None:
            self.client = ArgoApi(self.connection)
        return self.client


def annotated(document: dict[str, Any]) -> dict[str, Any]:
    """The compiled document with its fingerprint annotation (a digest of the document)."""
    result = copy.deepcopy(document)
    annotations = result["metadata"].setdefault("annotations", {})
    annotations[FINGERPRINT] = fingerprint(document)[:32]
    return result


def documents(prepared: Prepared) -> dict[str, dict[str, Any]]:
    """The compiled documents by kind."""
    import yaml

    text = prepared.files["argo.yaml"].decode("utf-8")
    return {document["kind"]: document for document in yaml.safe_load_all(text)}


def object_names(prepared: Prepared) -> dict[str, str]:
    """The name each kind has (or would have) for this flow."""
    from flowc.targets.argo.names import ArgoNames
    from flowc.targets.lower import lower

    names = ArgoNames.of(lower(prepared.checked))
    return {"WorkflowTemplate": names.workflow_template, "CronWorkflow": names.cron_workflow,
            "Sensor": names.workflow_template}


def deployment(prepared: Prepared, environ: Mapping[str, str]) -> Deployment:
    """The code package, then the WorkflowTemplate, the CronWorkflow and the Sensor."""
    settings = prepared.settings
    found, missing = connection(settings, environ)
    namespace = settings.namespace or DEFAULT_NAMESPACE
    api = _LazyApi(found)
    docs, names = documents(prepared), object_names(prepared)
    resources: list[Resource] = []
    if not prepared.package_given:
        resources.append(CodePackage(prepared, settings.datastore))
    for kind in KINDS:
        resources.append(ArgoObject(kind, names[kind], docs.get(kind), api, namespace))
    where = f"argo at {settings.server or '(server not set)'} (namespace {namespace})"
    return Deployment(target="argo", flow=prepared.checked.flow.name, where=where,
                      resources=tuple(resources), missing=tuple(missing))


def trigger(prepared: Prepared, params: Sequence[tuple[str, str]],
            environ: Mapping[str, str], dry_run: bool = False) -> Triggered:
    """Submit a Workflow from the deployed template with the parameter values (raw text, as
    `--param` gives them, already checked against the flow)."""
    return _submit(prepared, params, {}, environ, dry_run)


def resume(prepared: Prepared, origin_run_id: str, reuse_steps: Sequence[str],
           params: Sequence[tuple[str, str]], environ: Mapping[str, str]) -> Triggered:
    """Submit a Workflow that clones the origin run's finished tasks of `reuse_steps` and runs
    the rest (the template's flowc-origin-run and flowc-reuse-steps parameters)."""
    from flowc.targets.argo.names import ORIGIN_RUN_PARAMETER, REUSE_STEPS_PARAMETER

    return _submit(prepared, params, {ORIGIN_RUN_PARAMETER: origin_run_id,
                                      REUSE_STEPS_PARAMETER: ",".join(reuse_steps)}, environ)


def _submit(prepared: Prepared, params: Sequence[tuple[str, str]], extra: Mapping[str, str],
            environ: Mapping[str, str], dry_run: bool = False) -> Triggered:
    from flowc.targets.argo.names import ArgoNames
    from flowc.targets.lower import lower

    settings = prepared.settings
    found, missing = connection(settings, environ)
    names = ArgoNames.of(lower(prepared.checked))
    arguments = [f"{names.parameters[name]}={value}"
                 for name, value in parameter_values(prepared, params)]
    arguments += [f"{name}={value}" for name, value in extra.items()]
    if dry_run:
        return _dry_submit(prepared, names.workflow_template, arguments, missing)
    if found is None:
        raise DeployError("; ".join(missing))
    api = _LazyApi(found)
    template = ArgoObject("WorkflowTemplate", names.workflow_template,
                          documents(prepared)["WorkflowTemplate"], api, found.namespace)
    deployed = template.read()
    if deployed is None:
        raise DeployError(f"WorkflowTemplate {template.name} is not on the Argo Server at "
                          f"{found.server}: deploy it first (flowc deploy FILE --target argo)")
    lines = []
    if deployed.fingerprint != template.wanted_fingerprint:
        lines.append(f"note: the deployed WorkflowTemplate {template.name} is not the one this "
                     "file compiles to; the run uses the deployed one (flowc deploy updates it)")
    workflow = api().submit(names.workflow_template, arguments)
    run_id = str(workflow["metadata"]["name"])
    flow = prepared.checked.flow.name
    lines += [f"run {flow}/{run_id} submitted: Workflow {found.namespace}/{run_id} from "
              f"WorkflowTemplate {names.workflow_template}",
              f"watch: {found.server}/workflows/{found.namespace}/{run_id} "
              f"(or argo watch -n {found.namespace} {run_id})",
              f"then: flowc show {flow}/{run_id} --datastore {settings.datastore}"]
    return Triggered(run_id=run_id, lines=tuple(lines))


def _dry_submit(prepared: Prepared, template: str, arguments: list[str],
                missing: list[str]) -> Triggered:
    """The calls a trigger would make, and the submit request's body."""
    import json

    from flowc.targets.deploy.argo_api import call_text

    namespace = prepared.settings.namespace or DEFAULT_NAMESPACE
    body: dict[str, Any] = {"namespace": namespace, "resourceKind": "WorkflowTemplate",
                            "resourceName": template}
    if arguments:
        body["submitOptions"] = {"parameters": arguments}
    lines = (f"# dry run: start a run of {prepared.checked.flow.name} on argo at "
             f"{prepared.settings.server or '(server not set)'}; nothing is called",
             f"# {call_text('GET', 'WorkflowTemplate', namespace, template)} (it must be "
             "deployed)",
             f"# POST /api/v1/workflows/{namespace}/submit",
             json.dumps(body, indent=2, ensure_ascii=False))
    return Triggered(run_id="", lines=lines, missing=tuple(missing))
