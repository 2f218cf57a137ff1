"""``GET /api/v1/docs``: a browsable reference of the API, rendered on the server.

flask-smorest's Swagger UI and ReDoc load scripts from CDNs, which the Content-Security-
Policy (and offline clinics) rule out. This page lists every operation of the OpenAPI
document (path, method, summary, parameters, request and response schemas) and every
schema's fields, as plain HTML: no script at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, current_app, render_template, url_for

from fieldscan.api.routes import PREFIX

blueprint = Blueprint("api_reference", __name__)

_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Parameter:
    """A path, query or header parameter."""

    name: str
    location: str
    required: bool
    type: str
    description: str


@dataclass(frozen=True)
class Reply:
    """A documented response."""

    status: str
    description: str
    schema: str | None
    headers: tuple[str, ...] = ()

    @property
    def schema_name(self) -> str | None:
        """The component the body is made of (``X`` of ``X[]``), if any."""
        name = (self.schema or "").removesuffix("[]")
        return name if name.isidentifier() else None


@dataclass(frozen=True)
class Operation:
    """One method on one path."""

    method: str
    path: str
    summary: str
    description: str
    operation_id: str | None
    parameters: tuple[Parameter, ...]
    request_schema: str | None
    replies: tuple[Reply, ...]

    @property
    def anchor(self) -> str:
        """The operation's id in the page."""
        return f"{self.method}-{self.path}".replace("/", "-").replace("{", "").replace("}", "")


@dataclass(frozen=True)
class Property:
    """A field of a schema."""

    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class SchemaDoc:
    """A schema of the document's components."""

    name: str
    description: str
    properties: tuple[Property, ...]


@dataclass
class Group:
    """The operations of one tag (resource)."""

    name: str
    description: str
    operations: list[Operation] = field(default_factory=list)


@dataclass(frozen=True)
class Reference:
    """Everything the page shows."""

    title: str
    version: str
    groups: list[Group]
    schemas: list[SchemaDoc]


def reference(spec: dict[str, Any]) -> Reference:
    """The page's content from an OpenAPI 3 document (a dict, as ``spec.to_dict()``)."""
    components = spec.get("components", {})
    groups = {
        tag["name"]: Group(tag["name"], tag.get("description", "")) for tag in spec.get("tags", [])
    }
    for path, item in spec.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in _METHODS:
            if method not in item:
                continue
            operation = _operation(method, path, item[method], shared, components)
            for tag in item[method].get("tags") or ["default"]:
                groups.setdefault(tag, Group(tag, "")).operations.append(operation)
    schemas = [
        _schema_doc(name, schema) for name, schema in sorted(components.get("schemas", {}).items())
    ]
    info = spec.get("info", {})
    return Reference(
        title=info.get("title", ""),
        version=info.get("version", ""),
        groups=[group for group in groups.values() if group.operations],
        schemas=schemas,
    )


def _operation(
    method: str,
    path: str,
    operation: dict[str, Any],
    shared: list[dict[str, Any]],
    components: dict[str, Any],
) -> Operation:
    given = [*shared, *operation.get("parameters", [])]
    parameters = tuple(
        Parameter(
            name=param.get("name", ""),
            location=param.get("in", ""),
            required=bool(param.get("required")),
            type=_type_of(param.get("schema", {})),
            description=param.get("description", ""),
        )
        for param in (_resolve(p, components, "parameters") for p in given)
    )
    body = operation.get("requestBody", {})
    request_schema = None
    for media in body.get("content", {}).values():
        request_schema = _type_of(media.get("schema", {}))
    replies = []
    for status, reply in operation.get("responses", {}).items():
        reply = _resolve(reply, components, "responses")
        schema = None
        for media in reply.get("content", {}).values():
            schema = _type_of(media.get("schema", {}))
        headers = tuple(reply.get("headers", {}))
        replies.append(Reply(str(status), reply.get("description", ""), schema, headers))
    replies.sort(key=lambda reply: (not reply.status.isdigit(), reply.status))
    return Operation(
        method=method.upper(),
        path=path,
        summary=operation.get("summary", ""),
        description=operation.get("description", ""),
        operation_id=operation.get("operationId"),
        parameters=parameters,
        request_schema=request_schema,
        replies=tuple(replies),
    )


def _schema_doc(name: str, schema: dict[str, Any]) -> SchemaDoc:
    required = set(schema.get("required", []))
    properties = tuple(
        Property(
            name=prop,
            type=_type_of(value),
            required=prop in required,
            description=value.get("description", ""),
        )
        for prop, value in schema.get("properties", {}).items()
    )
    return SchemaDoc(name, schema.get("description", ""), properties)


def _resolve(node: dict[str, Any], components: dict[str, Any], kind: str) -> dict[str, Any]:
    ref = node.get("$ref", "")
    prefix = f"#/components/{kind}/"
    if ref.startswith(prefix):
        return components.get(kind, {}).get(ref[len(prefix) :], {})
    return node


def _type_of(schema: dict[str, Any]) -> str:
    """A short name for a JSON schema: a component's name, ``X[]``, ``string (date-time)``."""
    ref = schema.get("$ref", "")
    if ref:
        name = ref.rsplit("/", 1)[-1]
    elif schema.get("type") == "array":
        name = _type_of(schema.get("items", {})) + "[]"
    elif schema.get("allOf"):
        name = " & ".join(_type_of(part) for part in schema["allOf"])
    else:
        name = schema.get("type", "any")
        if schema.get("format"):
            name += f" ({schema['format']})"
        if schema.get("type") == "object" and isinstance(schema.get("additionalProperties"), dict):
            name = f"object of {_type_of(schema['additionalProperties'])}"
    if schema.get("enum"):
        name += ": " + " | ".join(str(value) for value in schema["enum"])
    if schema.get("nullable"):
        name += " | null"
    return name


@blueprint.get(f"{PREFIX}/docs")
def docs():
    """The reference page (public, like the OpenAPI document)."""
    api = current_app.extensions["fieldscan.api"]
    return render_template(
        "api/docs.html",
        reference=reference(api.spec.to_dict()),
        spec_url=url_for("api-docs.openapi_json"),
    )
