"""HTTP ingest: every answer's status and body, including everything that can go wrong."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from engine_messages import account, contact, event
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract import limits, validate_against
from simulator.web import simulator_of
from simulator.web.app import create_app
from simulator.web.serving import opened_app

INGEST = "/akita/v1/segment"
KEY = "test-key"
BATCH = {"batch": [contact("m1", 0, "u1", organization_id="org1"), event("m2", 1, person_id="u1")]}


def basic(key: str, password: str = "") -> dict[str, str]:
    """Authorization as Segment sends it: the key as username, an empty password."""
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:{password}".encode()).decode()}


@pytest.fixture
def app() -> Iterator[Flask]:
    """An app with one workspace whose key is KEY."""
    with opened_app({"AKITA_API_KEY": KEY}, segment=False) as app:
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of `app`."""
    return app.test_client()


def post(client: FlaskClient, body: Any = BATCH, **kwargs: Any) -> Any:
    """POST to ingest with KEY, as JSON unless `data` is given."""
    kwargs.setdefault("headers", basic(KEY))
    if "data" in kwargs:
        kwargs.setdefault("content_type", "application/json")
        return client.post(INGEST, **kwargs)
    return client.post(INGEST, json=body, **kwargs)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The answer is `status` with a JSON error body that the contract accepts."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert validate_against("akita/error", body) == []
    assert body["code"] == code and body["message"]
    return body


def test_basic_auth_and_bearer_both_deliver(client: FlaskClient) -> None:
    first = post(client)
    second = post(client, headers={"Authorization": f"Bearer {KEY}"})

    assert first.status_code == 200 and first.get_json() == {"accepted": 2, "duplicates": 0}
    assert second.get_json() == {"accepted": 0, "duplicates": 2}
    assert validate_against("akita/success", first.get_json()) == []


@pytest.mark.parametrize("headers, reason", [
    ({}, "missing API key"),
    (basic("wrong-key"), "unknown API key"),
    (basic(KEY, "a-password"), "password must be empty"),
    ({"Authorization": "Basic !!not-base64!!"}, "malformed"),
    ({"Authorization": "Token abc"}, "malformed"),
    ({"Authorization": "Bearer"}, "malformed"),
])
def test_a_missing_or_wrong_key_is_401_with_a_reason(
    client: FlaskClient, headers: dict[str, str], reason: str
) -> None:
    response = post(client, headers=headers)

    body = assert_error(response, 401, "unauthorized")
    assert reason in body["message"]
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert KEY not in body["message"]


def test_an_oversize_body_is_413_before_it_is_parsed(client: FlaskClient) -> None:
    not_even_json = b"x" * (limits.MAX_BATCH_BYTES + 1)

    body = assert_error(post(client, data=not_even_json), 413, "payload_too_large")
    assert f"{limits.MAX_BATCH_BYTES:,}" in body["message"]


def test_too_many_messages_is_413(client: FlaskClient) -> None:
    many = [{"type": "contact", "message_id": str(i), "timestamp": "2026-01-01T00:00:00Z",
             "person_id": "u"} for i in range(limits.MAX_BATCH_MESSAGES + 1)]

    body = assert_error(post(client, {"batch": many}), 413, "payload_too_large")
    assert body["errors"] == [{"path": "$.batch", "reason": body["errors"][0]["reason"]}]


def test_a_message_over_32_kb_is_413_naming_it(client: FlaskClient) -> None:
    big = contact("big", 0, "u1", traits={"notes": "x" * limits.MAX_MESSAGE_BYTES})

    body = assert_error(post(client, {"batch": [big]}), 413, "payload_too_large")
    assert [(e["index"], e["message_id"], e["path"]) for e in body["errors"]] == [
        (0, "big", "$.batch[0]")]


@pytest.mark.parametrize("headers, reason", [
    ({"Content-Type": "text/plain"}, "not text/plain"),
    ({"Content-Type": "application/x-www-form-urlencoded"}, "not application/x-www-form"),
    ({}, "not no Content-Type"),
    ({"Content-Type": "application/json", "Content-Encoding": "gzip"}, "gzip"),
])
def test_a_body_not_declared_as_plain_json_is_415(
    client: FlaskClient, headers: dict[str, str], reason: str
) -> None:
    response = client.post(INGEST, data=json.dumps(BATCH), headers={**basic(KEY), **headers})

    assert reason in assert_error(response, 415, "unsupported_media_type")["message"]


@pytest.mark.parametrize("data, reason", [
    (b'{"batch": [', "not valid JSON: Expecting value at line 1 column 12"),
    (b'{"batch": []}\xff', "not valid UTF-8: byte 0xff at offset 13"),
    (b'{"batch": [NaN]}', "NaN is not JSON"),
    (b"", "not valid JSON"),
    (b"[" * 300 + b"]" * 300, "more than 256 levels deep"),
    (b"[" * 100_000 + b"]" * 100_000, "more than 256 levels deep"),
])
def test_a_body_that_is_not_json_is_400_with_the_reason(
    client: FlaskClient, data: bytes, reason: str
) -> None:
    body = assert_error(post(client, data=data), 400, "invalid_json")
    assert reason in body["message"]


def test_a_batch_with_bad_items_is_400_listing_each_and_applies_nothing(
    client: FlaskClient, app: Flask
) -> None:
    batch = [contact("ok", 0, "u1"), {**contact("m2", 0, "u2"), "timestamp": "soon"},
             event("m3", 1, person_id="u1", colour="red"), {"type": "contact", "person_id": "u3"}]

    body = assert_error(post(client, {"batch": batch}), 400, "invalid_batch")

    assert {(e["index"], e["message_id"], e["path"]) for e in body["errors"]} == {
        (1, "m2", "$.batch[1].timestamp"), (2, "m3", "$.batch[2].colour"),
        (3, None, "$.batch[3].message_id"), (3, None, "$.batch[3].timestamp")}
    assert all(e["reason"] for e in body["errors"])
    simulator = simulator_of(app)
    [workspace] = simulator.list_workspaces()
    assert simulator.snapshot(workspace["id"])["counts"]["messages"] == 0


def test_unsupported_types_are_501_and_mixed_with_invalid_items_400(client: FlaskClient) -> None:
    screen = {**event("s1", 0, person_id="u1"), "type": "screen"}

    body = assert_error(post(client, {"batch": [screen]}), 501, "unsupported_type")
    assert body["errors"][0]["path"] == "$.batch[0].type"
    assert_error(post(client, {"batch": [screen, {"type": "contact"}]}), 400, "invalid_batch")


def test_strict_accounts_answer_409_with_the_conflict() -> None:
    app = create_app({"AKITA_API_KEY": KEY, "AKITA_STRICT_ACCOUNTS": True})
    client = app.test_client()
    post(client, {"batch": [contact("m1", 0, "u1", organization_id="org1")]})

    response = post(client, {"batch": [account("m2", 1, "org2", person_id="u1")]})

    body = assert_error(response, 409, "account_conflict")
    assert body["errors"][0]["index"] == 0 and body["errors"][0]["person_id"] == "u1"
    simulator_of(app).close()


def test_flask_own_errors_are_json_too(client: FlaskClient) -> None:
    missing = client.get("/no/such/page")
    wrong_method = client.get(INGEST)

    assert missing.status_code == 404 and missing.get_json()["message"]
    assert wrong_method.status_code == 405 and wrong_method.get_json()["message"]
    assert "POST" in wrong_method.headers["Allow"]


def test_an_unexpected_failure_is_a_json_500(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(simulator_of(app), "ingest", explode)
    response = post(app.test_client())

    assert response.status_code == 500 and response.get_json()["message"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=12,
)
FIELDS = ["type", "message_id", "timestamp", "person_id", "anonymous_id", "organization_id",
          "traits", "event", "properties", "name", "category"]
near_messages = st.dictionaries(
    st.sampled_from(FIELDS),
    json_values | st.sampled_from(["contact", "page", "2026-01-01T00:00:00Z"]),
    max_size=6,
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=json_values | st.fixed_dictionaries({"batch": st.lists(near_messages, max_size=4)}))
def test_no_generated_body_gets_a_500(client: FlaskClient, body: Any) -> None:
    response = post(client, data=json.dumps(body))

    assert response.status_code in (200, 400, 501), response.get_data(as_text=True)
    if response.status_code != 200:
        assert validate_against("akita/error", response.get_json()) == []


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=64))
def test_no_byte_string_gets_a_500(client: FlaskClient, data: bytes) -> None:
    response = post(client, data=data)

    assert response.status_code in (200, 400, 501)
    assert response.get_json()["message" if response.status_code != 200 else "accepted"] is not None
