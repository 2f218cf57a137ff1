"""The OpenAPI 3 document at /api/v1/openapi.json, the docs page, and schemathesis.

The document must be valid OpenAPI 3.0, describe every /api/v1 route the app serves, and
tell the truth: schemathesis generates requests from it (as an admin device) and checks
that no answer is a server error and that every answer matches the document.
"""

from __future__ import annotations

import re
import tempfile
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from fieldscan import create_app
from fieldscan.api.sync import sync_responses
from fieldscan.extensions import db
from fieldscan.models import Channel, Partner
from tests.api.conftest import make_item

#: The routes under /api/v1 that are not operations of the API itself.
NOT_OPERATIONS = {"api-docs.openapi_json", "api_reference.docs"}

_HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


#: An app that serves the document and the docs page: neither needs a database, so the
#: tests of the document run once, not per database backend.
DOCUMENT_APP = create_app(
    {
        "TESTING": True,
        "FIELDSCAN_DATABASE_URL": "sqlite://",
        "FIELDSCAN_SECRET_KEY": "openapi-document-tests-only",
        "FIELDSCAN_INSTANCE_PATH": tempfile.mkdtemp(prefix="fieldscan-openapi-"),
    }
)


@pytest.fixture
def spec() -> dict[str, Any]:
    """The document as a client gets it."""
    response = DOCUMENT_APP.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


# --- the document ------------------------------------------------------------------------------


def test_the_document_is_valid_openapi_3(spec):
    assert spec["openapi"] == "3.0.3"
    assert spec["info"]["title"] and spec["info"]["version"]
    # The OpenAPI 3.0 JSON Schema, as schemathesis validates documents (jsonschema-rs).
    schemathesis.openapi.from_dict(spec).validate()

    for path, item in spec["paths"].items():
        assert path.startswith("/api/v1/")
        for method, operation in item.items():
            if method == "parameters":
                continue
            assert method in _HTTP_METHODS
            assert operation["summary"] and operation["operationId"] and operation["tags"]
            assert "default" in operation["responses"], (method, path)
            for name in re.findall(r"{(\w+)}", path):
                declared = item.get("parameters", []) + operation.get("parameters", [])
                assert any(p["in"] == "path" and p["name"] == name for p in declared)
    operation_ids = [
        op["operationId"]
        for item in spec["paths"].values()
        for method, op in item.items()
        if method != "parameters"
    ]
    assert len(operation_ids) == len(set(operation_ids))


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_every_reference_resolves(spec):
    for ref in set(_refs(spec)):
        assert ref.startswith("#/"), ref
        node: Any = spec
        for part in ref[2:].split("/"):
            assert part in node, ref
            node = node[part]


def test_the_document_covers_every_api_route(spec):
    served = set()
    for rule in DOCUMENT_APP.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.endpoint in NOT_OPERATIONS:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            served.add((method.lower(), path))
    documented = {
        (method, path)
        for path, item in spec["paths"].items()
        for method in item
        if method in _HTTP_METHODS
    }
    assert served == documented
    assert {
        ("get", "/api/v1/surveys"),
        ("get", "/api/v1/surveys/{survey_id}"),
        ("get", "/api/v1/responses"),
        ("post", "/api/v1/responses"),
        ("get", "/api/v1/responses/{uuid}"),
        ("put", "/api/v1/responses/{uuid}"),
        ("post", "/api/v1/sync"),
        ("get", "/api/v1/sites"),
        ("get", "/api/v1/partners"),
    } == documented


def test_the_document_names_the_schemas_and_the_bearer_scheme(spec):
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": spec["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    assert spec["security"] == [{"bearerAuth": []}]
    sync = spec["paths"]["/api/v1/sync"]["post"]
    body = sync["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/SyncRequest"}
    ok = sync["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/SyncResponse"}
    listing = spec["paths"]["/api/v1/responses"]["get"]
    assert "X-Pagination" in listing["responses"]["200"]["headers"]
    assert {p["name"] for p in listing["parameters"]} == {
        "survey", "site", "channel", "status", "started_after", "started_before",
        "page", "page_size",
    }  # fmt: skip
    error = spec["components"]["schemas"]["ErrorDetail"]["properties"]
    assert {"code", "status", "message", "fields", "location"} <= set(error)


def test_the_document_and_the_docs_page_are_public():
    client = DOCUMENT_APP.test_client()
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200


def test_the_docs_page_lists_every_operation_without_scripts(spec):
    response = DOCUMENT_APP.test_client().get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "<script" not in html.lower()
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            assert f"<code>{method.upper()} {path}</code>" in html
            assert operation["summary"] in html
    for name in spec["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
    for name in ("SyncRequest", "SyncResponse", "SurveyResponse", "SurveyPlan"):
        assert f"<code>{name}</code>" in html
    assert "fieldscan tokens create" in html and 'href="/api/v1/openapi.json"' in html


# --- schemathesis --------------------------------------------------------------------------------
#
# The document is loaded once, at collection, through the WSGI interface of
# :data:`DOCUMENT_APP` (``schema.parametrize()`` makes one test per operation); each test
# then sends its cases to the test's own app, which has a database and data to read.
# (schemathesis 4.32's ``schemathesis.pytest.from_fixture`` does not run under pytest 9.2:
# it reads the removed ``Node._nodeid``.)

#: Bounded generation: the document's examples, coverage cases, then 25 generated positive
#: and negative examples per operation, with the same seed every run.
SCHEMATHESIS_CONFIG = {
    "seed": 20260302,
    "generation": {"max-examples": 25, "mode": "all"},
    "phases": {"stateful": {"enabled": False}},
}

api_schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", DOCUMENT_APP, config=schemathesis.Config.from_dict(SCHEMATHESIS_CONFIG)
)


def test_schemathesis_tests_the_document_the_app_serves(spec):
    assert spec == api_schema.raw_schema


@pytest.fixture
def admin_token(make_user, make_token) -> str:
    """The token of an admin device (every site)."""
    return make_token(make_user("admin", email="admin@clinic.example", site=None))


@pytest.fixture
def app_with_data(request: pytest.FixtureRequest, db_backend: str):
    """The app under test, with responses and a partner to read."""
    if db_backend != "sqlite":
        pytest.skip("schemathesis runs on SQLite only, to keep the suite fast")
    api_app = request.getfixturevalue("api_app")
    chw = request.getfixturevalue("chw")
    sync_responses(
        [make_item(), make_item(completed_at=None, answers={"child_age": 3})],
        actor=chw,
        channel=Channel.tablet,
        site_id=chw.site_id,
    )
    db.session.add(Partner(name="Banco de comida", kind="food_assistance", site_id=chw.site_id))
    db.session.commit()
    return api_app


@api_schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_document(case, app_with_data, admin_token):
    """No server error; every status, content type and body as the document says."""
    case.call_and_validate(
        app=app_with_data,
        headers={"Authorization": f"Bearer {admin_token}"},
        checks=[
            checks.not_a_server_error,
            openapi_checks.status_code_conformance,
            openapi_checks.content_type_conformance,
            openapi_checks.response_schema_conformance,
        ],
    )
