"""The Argo Server REST API as `flowc deploy` and `flowc trigger` use it: get, create, update
and delete of WorkflowTemplates, CronWorkflows and Sensors, and submit, through hera's
`WorkflowsService` (imported here only: the compile path never imports hera).

Sensors go through the same session with plain JSON: hera's events models keep a trigger's
embedded Workflow opaque and would send it empty (and, as the API's protobuf form, without
apiVersion and kind). Every request has a connect and read
timeout; a server that does not answer (or answers 5xx) is `Unreachable` (exit 3), a refused
token exit 2, any other refusal exit 1 naming the resource and the call. The token is
scrubbed from every message.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flowc.targets.deploy.errors import (
    EXIT_REFUSED,
    EXIT_USAGE,
    DeployError,
    Unreachable,
    scrub,
)

T = TypeVar("T")
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
PATHS = {"WorkflowTemplate": "workflow-templates", "CronWorkflow": "cron-workflows",
         "Sensor": "sensors"}
BODY_KEYS = {"WorkflowTemplate": "template", "CronWorkflow": "cronWorkflow", "Sensor": "sensor"}


@dataclass(frozen=True, slots=True, kw_only=True)
class ArgoConnection:
    """Where the Argo Server is and how to talk to it (`token` without "Bearer ")."""

    server: str
    namespace: str
    token: str | None = None
    verify_tls: bool = True

    def __repr__(self) -> str:  # never show the token
        return f"ArgoConnection(server={self.server!r}, namespace={self.namespace!r})"


def call_text(method: str, kind: str, namespace: str, name: str | None = None) -> str:
    """`PUT /api/v1/workflow-templates/NS/NAME`: a call as a line of output."""
    path = f"/api/v1/{PATHS[kind]}/{namespace}" + (f"/{name}" if name else "")
    return f"{method} {path}"


class ArgoApi:
    """One connection to an Argo Server; documents in and out are plain dicts."""

    def __init__(self, connection: ArgoConnection) -> None:
        import requests
        from hera.workflows.service import WorkflowsService

        class TimedSession(requests.Session):
            def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
                kwargs.setdefault("timeout", (CONNECT_TIMEOUT, READ_TIMEOUT))
                return super().request(method, url, *args, **kwargs)

        if not connection.verify_tls:  # asked for: no warning per request on stderr
            import urllib3

            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        self.connection = connection
        host = connection.server if connection.server.endswith("/") else connection.server + "/"
        self.service = WorkflowsService(host=host, token=connection.token,
                                        namespace=connection.namespace,
                                        verify_ssl=connection.verify_tls,
                                        session=TimedSession())

    # -- error handling -------------------------------------------------------------------

    def _call(self, call: str, what: str, action: Callable[[], T]) -> T:
        import requests
        from hera.exceptions import HeraException, NotFound

        secrets = (self.connection.token,)
        try:
            with warnings.catch_warnings():  # hera calls pydantic's deprecated .json()
                warnings.simplefilter("ignore", DeprecationWarning)
                return action()
        except NotFound:
            raise
        except requests.exceptions.RequestException as exc:
            reason = _reason(exc)
            raise Unreachable(scrub(f"cannot reach the Argo Server at {self.connection.server} "
                                    f"({call} for {what}): {reason}", secrets)) from None
        except HeraException as exc:
            raise _refused(call, what, str(exc), self.connection.server, secrets) from None

    # -- the model-based kinds (hera) ------------------------------------------------------

    def get(self, kind: str, name: str) -> dict[str, Any] | None:
        from hera.exceptions import NotFound

        namespace = self.connection.namespace
        if kind == "Sensor":
            return self._raw("get", kind, name, None)
        getter = {"WorkflowTemplate": self.service.get_workflow_template,
                  "CronWorkflow": self.service.get_cron_workflow}[kind]
        try:
            model = self._call(call_text("GET", kind, namespace, name), f"{kind} {name}",
                               lambda: getter(name, namespace=namespace))
        except NotFound:
            return None
        return _plain(model)

    def create(self, kind: str, document: dict[str, Any]) -> dict[str, Any]:
        namespace, name = self.connection.namespace, document["metadata"]["name"]
        if kind == "Sensor":
            return self._raw("post", kind, None, {"namespace": namespace,
                                                  "sensor": _sensor_body(document)}) or {}
        method: Any = {"WorkflowTemplate": self.service.create_workflow_template,
                  "CronWorkflow": self.service.create_cron_workflow}[kind]
        request: Any = functools.partial(method, _request(kind, document, namespace),
                                    namespace=namespace)
        return _plain(self._call(call_text("POST", kind, namespace), f"{kind} {name}", request))

    def update(self, kind: str, document: dict[str, Any]) -> dict[str, Any]:
        namespace, name = self.connection.namespace, document["metadata"]["name"]
        if kind == "Sensor":
            return self._raw("put", kind, name, {"name": name, "namespace": namespace,
                                                 "sensor": _sensor_body(document)}) or {}
        method: Any = {"WorkflowTemplate": self.service.update_workflow_template,
                  "CronWorkflow": self.service.update_cron_workflow}[kind]
        request: Any = functools.partial(method, name,
                                         _request(kind, document, namespace, name),
                                    namespace=namespace)
        return _plain(self._call(call_text("PUT", kind, namespace, name), f"{kind} {name}",
                                 request))

    def delete(self, kind: str, name: str) -> None:
        namespace = self.connection.namespace
        if kind == "Sensor":
            self._raw("delete", kind, name, None)
            return
        deleter = {"WorkflowTemplate": self.service.delete_workflow_template,
                   "CronWorkflow": self.service.delete_cron_workflow}[kind]
        self._call(call_text("DELETE", kind, namespace, name), f"{kind} {name}",
                   lambda: deleter(name, namespace=namespace))

    def submit(self, template: str, parameters: list[str]) -> dict[str, Any]:
        """Submit a Workflow from the WorkflowTemplate `template` with `name=value` items."""
        from hera.workflows import models

        namespace = self.connection.namespace
        request = models.WorkflowSubmitRequest(
            namespace=namespace, resource_kind="WorkflowTemplate", resource_name=template,
            submit_options=models.SubmitOpts(parameters=parameters) if parameters else None)
        call = f"POST /api/v1/workflows/{namespace}/submit"
        return _plain(self._call(call, f"a Workflow from WorkflowTemplate {template}",
                                 lambda: self.service.submit_workflow(request,
                                                                      namespace=namespace)))

    # -- sensors (plain JSON) --------------------------------------------------------------

    def _raw(self, method: str, kind: str, name: str | None,
             body: dict[str, Any] | None) -> dict[str, Any] | None:
        from hera.exceptions import exception_from_server_response

        namespace = self.connection.namespace
        call = call_text(method.upper(), kind, namespace, name)
        what = f"{kind} {name or (body or {}).get('sensor', {}).get('metadata', {}).get('name')}"
        path = call.split(" ", 1)[1].lstrip("/")
        headers = {"Content-Type": "application/json"}
        if self.service.token:
            headers["Authorization"] = self.service.token

        def send() -> Any:
            response = self.service.session.request(
                method, self.service.host + path, headers=headers, json=body,
                verify=self.connection.verify_tls)
            if method == "get" and response.status_code == 404:
                return None
            if not response.ok:
                raise exception_from_server_response(response)
            return response.json()

        answer: dict[str, Any] | None = self._call(call, what, send)
        return answer


def _request(kind: str, document: dict[str, Any], namespace: str,
             name: str | None = None) -> Any:
    """hera's create (no `name`) or update request for a WorkflowTemplate or CronWorkflow."""
    from hera.workflows import models

    if kind == "WorkflowTemplate":
        template = models.WorkflowTemplate.model_validate(document)
        if name is None:
            return models.WorkflowTemplateCreateRequest(namespace=namespace, template=template)
        return models.WorkflowTemplateUpdateRequest(name=name, namespace=namespace,
                                                    template=template)
    cron = models.CronWorkflow.model_validate(document)
    if name is None:
        return models.CreateCronWorkflowRequest(namespace=namespace, cron_workflow=cron)
    return models.UpdateCronWorkflowRequest(name=name, namespace=namespace, cron_workflow=cron)


def _sensor_body(document: dict[str, Any]) -> dict[str, Any]:
    """A Sensor as the API takes it: its protobuf form has no apiVersion and kind (the
    endpoint says which kind it is)."""
    return {key: value for key, value in document.items() if key not in ("apiVersion", "kind")}


def _plain(model: Any) -> dict[str, Any]:
    dumped: dict[str, Any] = model.model_dump(by_alias=True, exclude_none=True, mode="json")
    return dumped


def _reason(exc: Exception) -> str:
    """The last, most specific part of a requests error ("Connection refused")."""
    text = str(exc)
    found = re.findall(r"\] ([^\]'\"()]+)", text)
    if found:
        return str(found[-1]).strip().rstrip(",")
    return type(exc).__name__ if not text else text.splitlines()[0][:200]


def _refused(call: str, what: str, message: str, server: str,
             secrets: tuple[str | None, ...]) -> DeployError:
    match = re.search(r"status code (\d+)", message)
    status = int(match.group(1)) if match else 0
    detail = re.sub(r"^Server returned status code \d+ with message: ", "", message).strip("`")
    text = f"{call} for {what} failed: {status or 'error'} {detail}".rstrip()
    if status in (401, 403):
        return DeployError(scrub(f"{text}: the Argo Server at {server} refused the credentials "
                                 "(set the token in $ARGO_TOKEN or the token_file setting)",
                                 secrets), EXIT_USAGE)
    if status >= 500:
        return Unreachable(scrub(f"{text} (the Argo Server at {server} failed)", secrets))
    return DeployError(scrub(text, secrets), EXIT_REFUSED)
