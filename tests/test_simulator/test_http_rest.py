"""Akita's REST API on the simulator: the documented bodies, answers and defaults, every
refusal a 4xx naming the field, and REST writes meeting Segment's calls in one state."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from contract.timestamps import to_wire
from simulator.web import simulator_of
from simulator.web.serving import opened_app

KEY = "rest-key"
BEARER = {"Authorization": f"Bearer {KEY}"}
AKITA_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


@pytest.fixture
def app() -> Iterator[Flask]:
    """The served app with one keyed workspace."""
    with opened_app({"AKITA_API_KEY": KEY}) as app:
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Its test client."""
    return app.test_client()


def post(client: FlaskClient, path: str, body: object, **options: object) -> tuple[int, dict]:
    """POST to the REST API with the Bearer key; status and JSON."""
    answer = client.post(f"/akita/v1/{path}", json=body, **({"headers": BEARER} | options))
    return answer.status_code, answer.get_json()


def test_an_account_upsert_answers_akitas_shape_keeps_its_id_and_updates(
        client: FlaskClient) -> None:
    status, first = post(client, "accounts", {"internal_id": "acme"})
    _, second = post(client, "accounts", {"internal_id": "acme", "name": "Acme",
                                          "is_tracked": False, "traits": {"plan": "pro"}})

    assert status == 200
    data = first["data"]
    assert (data["internal_id"], data["name"], data["is_tracked"]) == ("acme", None, True)
    assert isinstance(data["id"], int) and AKITA_TIME.fullmatch(data["created_at"])
    again = second["data"]
    assert again["id"] == data["id"] and again["created_at"] == data["created_at"]
    assert (again["name"], again["is_tracked"]) == ("Acme", False)
    assert again["updated_at"] >= again["created_at"]


def test_a_contact_needs_its_account_and_is_placed_in_it(app: Flask, client: FlaskClient) -> None:
    refused, body = post(client, "contacts", {"internal_id": "ada", "first_name": "Ada"})
    status, placed = post(client, "contacts", {"internal_id": "ada",
                                               "internal_account_id": "acme",
                                               "first_name": "Ada", "last_name": "Lovelace"})

    assert refused == 400 and body["errors"] == [{"path": "$.internal_account_id",
                                                  "reason": "is required"}]
    assert status == 200 and placed["data"]["internal_account_id"] == "acme"
    simulator = simulator_of(app)
    contact = simulator.contact(simulator.workspace_for_key(KEY), "ada")
    assert contact["organization_id"] == "acme" and contact["traits"]["last_name"] == "Lovelace"


def test_a_crm_sync_and_a_segment_sdk_meet_on_one_contact(app: Flask, client: FlaskClient) -> None:
    post(client, "accounts", {"internal_id": "acme", "name": "Acme"})
    post(client, "contacts", {"internal_id": "ada", "internal_account_id": "acme",
                              "email": "ada@crm.example"})
    later = to_wire(datetime.now(UTC) + timedelta(hours=1))
    earlier = to_wire(datetime.now(UTC) - timedelta(days=1))
    client.post("/v1/batch", auth=(KEY, ""), json={"batch": [
        {"type": "identify", "userId": "ada", "traits": {"plan": "pro"}, "messageId": "s1",
         "timestamp": later},
        {"type": "identify", "userId": "ada", "traits": {"email": "old@example.com"},
         "messageId": "s2", "timestamp": earlier},
        {"type": "track", "userId": "ada", "event": "Signed Up", "messageId": "s3",
         "timestamp": later}]})

    simulator = simulator_of(app)
    contact = simulator.contact(simulator.workspace_for_key(KEY), "ada")
    assert contact["organization_id"] == "acme" and contact["event_count"] == 1
    assert contact["traits"]["plan"] == "pro"  # from Segment
    assert contact["traits"]["email"] == "ada@crm.example"  # REST's, later than the old call
    page = client.get(f"/workspaces/{simulator.workspace_for_key(KEY)}/contacts/ada")
    assert page.get_data(as_text=True).count('<span class="badge">REST</span>') == 2
    assert '<span class="badge">Segment</span>' in page.get_data(as_text=True)


def test_interactions_and_event_counts_are_queued_with_a_202_and_journaled(
        app: Flask, client: FlaskClient) -> None:
    status, body = post(client, "interactions", {
        "interaction_type_id": 3, "provider_interaction_id": "ticket-9",
        "submitted_by_email": "ada@example.com", "attributes": {"subject": "Help"}})
    counted, _ = post(client, "event-counts", [
        {"event": "Login", "event_date": "2026-11-29", "event_count": 4,
         "internal_contact_id": "ada"}])
    bad, errors = post(client, "event-counts", [
        {"event": "Login", "event_date": "29/11/2026", "event_count": 4,
         "internal_contact_id": "ada"}])

    assert (status, body["data"]["status"], counted) == (202, "queued", 202)
    assert bad == 400 and errors["errors"][0]["path"] == "$[0].event_date"
    simulator = simulator_of(app)
    types = [e["type"] for e in simulator.journal(simulator.workspace_for_key(KEY))]
    assert types == ["event_count", "interaction"]


def test_the_key_is_required_and_basic_auth_works_too(client: FlaskClient) -> None:
    assert post(client, "accounts", {"internal_id": "a"}, headers={})[0] == 401
    assert post(client, "accounts", {"internal_id": "a"},
                headers={"Authorization": "Bearer nobody"})[0] == 401
    assert client.post("/akita/v1/accounts", json={"internal_id": "a"},
                       auth=(KEY, "")).status_code == 200


def test_the_rate_limit_answers_429_with_retry_after() -> None:
    with opened_app({"AKITA_API_KEY": KEY, "AKITA_REST_RATE_LIMIT": 2}) as app:
        client = app.test_client()
        statuses = [client.post("/akita/v1/accounts", json={"internal_id": "a"},
                                headers=BEARER) for _ in range(3)]

    assert [answer.status_code for answer in statuses] == [200, 200, 429]
    assert int(statuses[2].headers["Retry-After"]) > 0


def test_strict_accounts_refuse_a_rest_move_with_409() -> None:
    with opened_app({"AKITA_API_KEY": KEY, "AKITA_STRICT_ACCOUNTS": True}) as app:
        client = app.test_client()
        post(client, "contacts", {"internal_id": "ada", "internal_account_id": "acme"})
        status, body = post(client, "contacts", {"internal_id": "ada",
                                                 "internal_account_id": "initech"})

    assert status == 409 and body["code"] == "account_conflict"
