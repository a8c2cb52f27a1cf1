"""A small Argo Server double over real HTTP on 127.0.0.1, for `flowc deploy` and `flowc trigger`.

It implements the documented endpoints flowc uses (create, get, update and delete of workflow
templates, cron workflows and sensors, and submit) and validates every request body against
the Argo Server API (`../shared/schemas/argo-server.swagger.json`: the repository's parent's
shared folder, or the file named by FLOWC_ARGO_SERVER_SWAGGER) with unknown fields rejected;
a body that does not validate is answered 400 with the violations, as a test failure should
be loud. Bearer tokens are checked when the double has one. Every request is recorded.

The swagger comes from the protobuf definitions, so a few types are corrected to the JSON
forms Argo's Go types accept (each named below, as tests/argo/schema.py does for its schema).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema
import pytest

__all__ = ["ArgoServerDouble", "Request", "argo_server"]

SWAGGER_ENV = "FLOWC_ARGO_SERVER_SWAGGER"
REPO = Path(__file__).resolve().parents[1]
SHARED_SWAGGER = REPO.parent / "shared" / "schemas" / "argo-server.swagger.json"
WORKFLOW = "io.argoproj.workflow.v1alpha1."
EVENTS = "github.com.argoproj.argo_events.pkg.apis.events.v1alpha1."
CORRECTIONS: dict[str, dict[str, Any]] = {
    # intstr.IntOrString unmarshals a JSON number or a string.
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"type": ["integer", "string"]},
    # resource.Quantity unmarshals a number as well as a string.
    "io.k8s.apimachinery.pkg.api.resource.Quantity": {"type": ["string", "number"]},
    # argo-events K8SResource is the embedded object itself (json.RawMessage), not {value}.
    EVENTS + "K8SResource": {"type": "object"},
    EVENTS + "Int64OrString": {"type": ["integer", "string"]},
}
ANY_STRING = {"type": ["string", "number", "boolean"]}  # Argo's AnyString (Parameter.value)
PATHS = {"workflow-templates": ("WorkflowTemplate", "template"),
         "cron-workflows": ("CronWorkflow", "cronWorkflow"),
         "sensors": ("Sensor", "sensor")}
BODIES = {
    ("POST", "workflow-templates"): WORKFLOW + "WorkflowTemplateCreateRequest",
    ("PUT", "workflow-templates"): WORKFLOW + "WorkflowTemplateUpdateRequest",
    ("POST", "cron-workflows"): WORKFLOW + "CreateCronWorkflowRequest",
    ("PUT", "cron-workflows"): WORKFLOW + "UpdateCronWorkflowRequest",
    ("POST", "sensors"): "sensor.CreateSensorRequest",
    ("PUT", "sensors"): "sensor.UpdateSensorRequest",
    ("POST", "submit"): WORKFLOW + "WorkflowSubmitRequest",
}
OBJECT_PATH = re.compile(
    r"^/api/v1/(workflow-templates|cron-workflows|sensors)/([^/]+)(?:/([^/]+))?$")
SUBMIT_PATH = re.compile(r"^/api/v1/workflows/([^/]+)/submit$")


def swagger_path() -> Path:
    override = os.environ.get(SWAGGER_ENV)
    for candidate in (Path(override) if override else None, SHARED_SWAGGER):
        if candidate is not None and candidate.is_file():
            return candidate
    pytest.skip(f"Argo Server swagger not found: set {SWAGGER_ENV} or provide {SHARED_SWAGGER}")


def _close(node: Any) -> None:
    """additionalProperties: false on every object schema that lists its properties."""
    if isinstance(node, list):
        for item in node:
            _close(item)
    elif isinstance(node, dict):
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close(value)


@cache
def _definitions(path: Path) -> dict[str, Any]:
    definitions = copy.deepcopy(json.loads(path.read_text(encoding="utf-8"))["definitions"])
    for name, replacement in CORRECTIONS.items():
        definitions[name] = dict(replacement)
    for name, fields in ((WORKFLOW + "Parameter", ("default", "value")),
                         (WORKFLOW + "ValueFrom", ("default",))):
        for item in fields:
            definitions[name]["properties"][item] = dict(ANY_STRING)
    _close(list(definitions.values()))
    return definitions


@cache
def _validator(path: Path, definition: str) -> Any:
    root = {"$ref": f"#/definitions/{definition}", "definitions": _definitions(path)}
    return jsonschema.Draft4Validator(root)


def violations(definition: str, body: Any) -> list[str]:
    """Every way `body` breaks the (strict) API definition, with its JSON path."""
    found = _validator(swagger_path(), definition).iter_errors(body)
    return sorted(f"{error.json_path}: {error.message}" for error in found)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    authorization: str | None
    body: Any


@dataclass
class ArgoServerDouble:
    """The state of the double: objects by (plural, namespace, name), submitted workflows,
    and every request in order. `token`: the bearer token it requires (None: any)."""

    url: str = ""
    token: str | None = None
    objects: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    workflows: list[dict[str, Any]] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    versions: int = 0

    def writes(self) -> list[tuple[str, str]]:
        """(method, path) of every request that changes something."""
        return [(r.method, r.path) for r in self.requests if r.method != "GET"]

    def handle(self, method: str, path: str, authorization: str | None,
               body: Any) -> tuple[int, Any]:
        self.requests.append(Request(method, path, authorization, body))
        if self.token is not None and authorization != f"Bearer {self.token}":
            return 401, {"code": 16, "message": "token not valid for running mode"}
        submit = SUBMIT_PATH.match(path)
        if submit and method == "POST":
            return self._checked("POST", "submit", body) or self._submit(submit.group(1), body)
        match = OBJECT_PATH.match(path)
        if match is None:
            return 404, {"code": 5, "message": f"no route for {method} {path}"}
        plural, namespace, name = match.groups()
        if method in ("POST", "PUT"):
            problem = self._checked(method, plural, body)
            if problem:
                return problem
        key = (plural, namespace, name or "")
        match method, name:
            case "GET", str():
                return (200, self.objects[key]) if key in self.objects else self._missing(key)
            case "DELETE", str():
                if key not in self.objects:
                    return self._missing(key)
                del self.objects[key]
                return 200, {}
            case "POST", None:
                return self._create(plural, namespace, body)
            case "PUT", str():
                return self._update(plural, namespace, name, body)
        return 405, {"code": 12, "message": f"{method} {path} is not implemented"}

    def _checked(self, method: str, kind: str, body: Any) -> tuple[int, Any] | None:
        problems = violations(BODIES[method, kind], body)
        if problems:
            return 400, {"code": 3, "message": "; ".join(problems)}
        return None

    def _missing(self, key: tuple[str, str, str]) -> tuple[int, Any]:
        return 404, {"code": 5, "message": f'{key[0]} "{key[2]}" not found'}

    def _stamp(self, document: dict[str, Any], namespace: str) -> dict[str, Any]:
        self.versions += 1
        stored = copy.deepcopy(document)
        metadata = stored.setdefault("metadata", {})
        metadata["namespace"] = namespace
        metadata["resourceVersion"] = str(self.versions)
        metadata.setdefault("uid", hashlib.sha256(metadata["name"].encode()).hexdigest()[:16])
        metadata.setdefault("creationTimestamp", "2026-01-01T00:00:00Z")
        return stored

    def _create(self, plural: str, namespace: str, body: Any) -> tuple[int, Any]:
        kind, key_name = PATHS[plural]
        document = body[key_name]
        metadata = document.get("metadata", {})
        if metadata.get("namespace", namespace) != namespace:
            return 400, {"code": 3, "message": "the object's namespace is not the path's"}
        key = (plural, namespace, metadata.get("name", ""))
        if key in self.objects:
            return 409, {"code": 6, "message": f'{plural} "{key[2]}" already exists'}
        self.objects[key] = self._stamp(document, namespace)
        return 200, self.objects[key]

    def _update(self, plural: str, namespace: str, name: str, body: Any) -> tuple[int, Any]:
        kind, key_name = PATHS[plural]
        document = body[key_name]
        key = (plural, namespace, name)
        if key not in self.objects:
            return self._missing(key)
        version = document.get("metadata", {}).get("resourceVersion")
        if version is None:
            return 400, {"code": 3, "message": "metadata.resourceVersion: must be specified "
                                               "for an update"}
        if version != self.objects[key]["metadata"]["resourceVersion"]:
            return 409, {"code": 10, "message": "the object has been modified"}
        self.objects[key] = self._stamp(document, namespace)
        return 200, self.objects[key]

    def _submit(self, namespace: str, body: Any) -> tuple[int, Any]:
        if body.get("resourceKind") != "WorkflowTemplate":
            return 400, {"code": 3, "message": "resourceKind must be WorkflowTemplate"}
        name = body.get("resourceName", "")
        template = self.objects.get(("workflow-templates", namespace, name))
        if template is None:
            return self._missing(("workflowtemplates.argoproj.io", namespace, name))
        declared = [p["name"] for p in template["spec"].get("arguments", {}).get("parameters", [])]
        values = {p["name"]: p.get("value") for p in
                  template["spec"].get("arguments", {}).get("parameters", [])}
        for item in (body.get("submitOptions") or {}).get("parameters", []):
            key, sep, value = item.partition("=")
            if not sep or key not in declared:
                return 400, {"code": 3, "message": f"parameter {item!r} is not declared"}
            values[key] = value
        suffix = hashlib.sha256(f"{name}{len(self.workflows)}".encode()).hexdigest()[:5]
        workflow = {"metadata": {"name": f"{name}-{suffix}", "namespace": namespace},
                    "spec": {"workflowTemplateRef": {"name": name},
                             "arguments": {"parameters": [{"name": k, "value": v}
                                                          for k, v in values.items()]}}}
        self.workflows.append(workflow)
        return 200, workflow


def _handler(double: ArgoServerDouble) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except json.JSONDecodeError:
                status, answer = 400, {"code": 3, "message": "the body is not JSON"}
            else:
                path = self.path.split("?", 1)[0]
                status, answer = double.handle(method, path,
                                               self.headers.get("Authorization"), body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PUT(self) -> None:
            self._serve("PUT")

        def do_DELETE(self) -> None:
            self._serve("DELETE")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def argo_server() -> Iterator[ArgoServerDouble]:
    """A fresh Argo Server double on 127.0.0.1 that requires the token `s3cret-token`."""
    swagger_path()  # skip early without the swagger
    double = ArgoServerDouble(token="s3cret-token")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(double))
    double.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield double
    finally:
        server.shutdown()
        server.server_close()
