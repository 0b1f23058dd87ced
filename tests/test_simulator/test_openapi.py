"""/openapi.json stays true: same paths and methods as the app, and real answers fit it.

A route added without documenting it (or a documented one removed) fails here; so does an
answer whose status the document does not list or whose body breaks the documented schema.
The dashboard's HTML pages are outside the document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from engine_messages import account, contact, event, page
from flask import Flask
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from contract import limits
from simulator import __version__
from simulator.web import simulator_of
from simulator.web.blueprints.openapi import document_text
from simulator.web.serving import opened_app

DOC = json.loads(document_text())
_BASE = "urn:akita-sim:openapi"
_REGISTRY = Registry().with_resource(
    _BASE, Resource.from_contents(DOC, default_specification=DRAFT202012)
)
_METHODS = {"get", "post", "put", "patch", "delete"}
KEY = "openapi-key"


def app_routes(app: Flask) -> dict[str, set[str]]:
    """path template (OpenAPI style) -> lower-case methods, for every documented-worthy rule."""
    found: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.startswith("dashboard."):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        found.setdefault(path, set()).update(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    return found


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    """A strict-accounts app (so 409 can be provoked) with one keyed workspace."""
    with opened_app({"AKITA_API_KEY": KEY, "AKITA_STRICT_ACCOUNTS": True}, segment=False) as app:
        yield app


def test_every_route_is_documented_and_every_documented_path_is_a_route(app: Flask) -> None:
    documented = {path: set(item) & _METHODS for path, item in DOC["paths"].items()}

    assert app_routes(app) == documented


def test_the_document_is_openapi_3_1_with_valid_schemas_and_the_package_version() -> None:
    assert DOC["openapi"].startswith("3.1")
    assert DOC["info"]["version"] == __version__
    for schema in DOC["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_the_served_document_is_the_file(app: Flask) -> None:
    assert app.test_client().get("/openapi.json").get_json() == DOC


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def assert_documented(method: str, template: str, status: int, body: Any) -> None:
    """The operation lists `status`, and `body` fits the schema given for it."""
    responses = DOC["paths"][template][method]["responses"]
    assert str(status) in responses, f"{method.upper()} {template} answered {status}: {body}"
    if "content" not in responses[str(status)]:
        return
    pointer = _pointer("", "paths", template, method, "responses", str(status), "content",
                       "application/json", "schema")
    validator = Draft202012Validator({"$ref": f"{_BASE}#{pointer}"}, registry=_REGISTRY)
    problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
    assert problems == [], f"{method.upper()} {template} {status}"


def test_real_answers_fit_the_documented_responses(app: Flask) -> None:
    client = app.test_client()
    bearer = {"Authorization": f"Bearer {KEY}"}
    simulator = simulator_of(app)
    ws = simulator.workspace_for_key(KEY)
    journey = [contact("m1", 0, "u1", organization_id="org1", anonymous_id="a1"),
               account("m2", 1, "org1", person_id="u1"), event("m3", 2, person_id="u1"),
               page("m4", 3, anonymous_id="a2"), contact("m5", 4, "u2")]
    ingest = "/akita/v1/segment"
    w = "/_sim/workspaces/{workspace_id}"
    calls: list[tuple[str, str, dict[str, str], dict[str, Any], int]] = [
        ("post", ingest, {}, {"json": {"batch": journey}, "headers": bearer}, 200),
        ("post", ingest, {}, {"json": {"batch": [{"type": "contact"}]}, "headers": bearer}, 400),
        ("post", ingest, {}, {"json": {"batch": journey}}, 401),
        ("post", ingest, {}, {"json": {"batch": [account("c1", 5, "org2", person_id="u1")]},
                              "headers": bearer}, 409),
        ("post", ingest, {}, {"data": b"x" * (limits.MAX_BATCH_BYTES + 1), "headers": bearer,
                              "content_type": "application/json"}, 413),
        ("post", ingest, {}, {"data": b"{}", "headers": bearer}, 415),
        ("post", ingest, {}, {"json": {"batch": [{**journey[0], "type": "alias"}]},
                              "headers": bearer}, 501),
        ("get", "/_sim/health", {}, {}, 200),
        ("get", "/_sim/workspaces", {}, {}, 200),
        ("post", "/_sim/workspaces", {}, {"json": {"name": "n"}}, 201),
        ("post", "/_sim/workspaces", {}, {"json": {"api_key": KEY}}, 409),
        ("post", "/_sim/workspaces", {}, {"json": {"colour": "red"}}, 400),
        ("post", "/_sim/workspaces", {}, {"data": b"name=n", "content_type": "text/plain"}, 415),
        ("get", w, {}, {}, 200),
        ("get", w + "/state", {}, {}, 200),
        ("get", w + "/accounts", {}, {}, 200),
        ("get", w + "/accounts/{organization_id}", {"organization_id": "org1"}, {}, 200),
        ("get", w + "/accounts/{organization_id}", {"organization_id": "nope"}, {}, 404),
        ("get", w + "/contacts", {}, {}, 200),
        ("get", w + "/contacts/{person_id}", {"person_id": "u1"}, {}, 200),
        ("get", w + "/contacts/{person_id}", {"person_id": "nope"}, {}, 404),
        ("get", w + "/pending", {}, {}, 200),
        ("get", w + "/visitors", {}, {}, 200),
        ("get", w + "/sessions", {}, {"query_string": {"person": "u1"}}, 200),
        ("get", w + "/journal", {}, {"query_string": {"limit": 3}}, 200),
        ("get", w + "/journal", {}, {"query_string": {"limit": "x"}}, 400),
        ("get", w + "/journal", {"workspace_id": "ws_nope"}, {}, 404),
        ("put", w + "/faults", {}, {"json": {"sequence": [429, 500, 503]}}, 200),
        ("post", ingest, {}, {"json": {"batch": journey}, "headers": bearer}, 429),
        ("post", ingest, {}, {"json": {"batch": journey}, "headers": bearer}, 500),
        ("post", ingest, {}, {"json": {"batch": journey}, "headers": bearer}, 503),
        ("put", w + "/faults", {}, {"json": {"error_rate": 2}}, 400),
        ("get", w + "/faults", {}, {}, 200),
        ("delete", w + "/faults", {}, {}, 200),
        ("delete", w + "/faults", {"workspace_id": "ws_nope"}, {}, 404),
        ("get", "/openapi.json", {}, {}, 200),
        ("post", w + "/reset", {"workspace_id": "ws_nope"}, {}, 404),
        ("post", w + "/reset", {}, {}, 200),
        ("post", "/_sim/reset", {}, {}, 200),
        ("post", "/akita/v1/accounts", {}, {"json": {"internal_id": "a1", "name": "A"},
                                            "headers": bearer}, 200),
        ("post", "/akita/v1/accounts", {}, {"json": {"name": "A"}, "headers": bearer}, 400),
        ("post", "/akita/v1/contacts", {}, {"json": {"internal_id": "c1",
                                                     "internal_account_id": "a1"},
                                            "headers": bearer}, 200),
        ("post", "/akita/v1/contacts", {}, {"json": {"internal_id": "c1"}}, 401),
        ("post", "/akita/v1/interactions", {}, {"json": {
            "interaction_type_id": 1, "provider_interaction_id": "t1",
            "submitted_by_email": "a@example.com"}, "headers": bearer}, 202),
        ("post", "/akita/v1/event-counts", {}, {"json": [{
            "event": "Login", "event_date": "2026-11-29", "event_count": 3,
            "internal_contact_id": "c1"}], "headers": bearer}, 202),
        ("delete", w, {"workspace_id": "ws_nope"}, {}, 404),
        ("delete", w, {}, {}, 200),
    ]
    exercised = set()
    for method, template, params, kwargs, expected in calls:
        path = template.format(**{"workspace_id": ws, **params})
        response = getattr(client, method)(path, **kwargs)
        assert response.status_code == expected, (method, path, response.get_json())
        assert_documented(method, template, response.status_code, response.get_json())
        exercised.add((template, method))

    documented = {(path, m) for path, item in DOC["paths"].items() for m in set(item) & _METHODS}
    assert documented <= exercised
