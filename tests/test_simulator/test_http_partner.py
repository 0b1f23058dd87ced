"""Segment's partner wire: one raw Spec call a POST, as Segment delivers to partner
destinations, mapped by the simulator with the contract's mapping, the same rules applying
whichever wire brought a call; and the clients that speak it."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest
from flask import Flask

from destination.client import AkitaClient
from destination.gateway.transport import IN_PROCESS_URL, in_process_session
from simulator.web import simulator_of
from simulator.web.serving import opened_app

KEY = "partner-key"
BASIC = {"Authorization": "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()}
IDENTIFY = {"type": "identify", "userId": "ada", "messageId": "i1",
            "timestamp": "2026-03-01T09:00:00Z", "traits": {"groupId": "acme"}}


@pytest.fixture
def app() -> Iterator[Flask]:
    """The served app with one keyed workspace."""
    with opened_app({"AKITA_API_KEY": KEY}) as app:
        yield app


def post(app: Flask, body: object, **headers: str) -> tuple[int, dict]:
    """POST a raw call to ingest as Segment's partner delivery does."""
    answer = app.test_client().post("/akita/v1/segment", json=body,
                                    headers={**BASIC, "User-Agent": "Segment.io/1.0",
                                             "Accept": "application/json", **headers})
    return answer.status_code, answer.get_json()


def test_a_raw_call_is_mapped_applied_and_journaled_beside_its_message(app: Flask) -> None:
    settings = base64.b64encode(json.dumps({"region": "eu"}).encode()).decode()

    status, body = post(app, IDENTIFY, **{"X-Segment-Settings": settings})

    assert (status, body) == (200, {"accepted": 1, "duplicates": 0})
    simulator = simulator_of(app)
    workspace = simulator.workspace_for_key(KEY)
    assert simulator.contact(workspace, "ada")["organization_id"] == "acme"
    [entry] = simulator.journal(workspace)
    assert entry["segment_call"] == IDENTIFY and entry["akita_message"]["type"] == "contact"
    assert simulator.partner.settings[workspace] == {"region": "eu"}
    connect = app.test_client().get(f"/workspaces/{workspace}/connect").get_data(as_text=True)
    assert "Settings Segment last sent" in connect and "region" in connect
    assert post(app, IDENTIFY)[1] == {"accepted": 0, "duplicates": 1}


@pytest.mark.parametrize(("call", "status", "path"), [
    ({**IDENTIFY, "type": "screen", "name": "Home"}, 501, "$.type"),
    ({**IDENTIFY, "type": "track"}, 400, "$.event"),
    ({**IDENTIFY, "userId": None, "anonymousId": "a1"}, 400, "$.userId"),
])
def test_what_akita_cannot_take_is_refused_naming_the_field_and_changes_nothing(
        app: Flask, call: dict, status: int, path: str) -> None:
    answered, body = post(app, call)

    assert answered == status and body["message"]
    assert body["errors"][0]["path"] == path
    simulator = simulator_of(app)
    workspace = simulator.workspace_for_key(KEY)
    assert simulator.counts(workspace)["messages"] == 0
    assert simulator.journal(workspace)[0]["status"] == "rejected"


def test_settings_that_are_not_base64_json_are_a_400(app: Flask) -> None:
    assert post(app, IDENTIFY, **{"X-Segment-Settings": "not base64!"})[0] == 400


@pytest.mark.parametrize("wire", ["direct", "batch"])
def test_the_client_speaks_either_wire_with_the_same_outcome(app: Flask, wire: str) -> None:
    calls = [IDENTIFY, {"type": "track", "userId": "ada", "event": "Signed Up",
                        "messageId": "t1", "timestamp": "2026-03-01T09:01:00Z"}]
    with AkitaClient(IN_PROCESS_URL, KEY, session=in_process_session(app), wire=wire,
                     flush_interval=None, settings={"region": "eu"}) as client:
        report = client.deliver(calls)

    assert [r.status for r in report.records] == ["delivered", "delivered"]
    sent = [r.request["body"] for r in report.records]
    assert sent == (calls if wire == "direct" else [{"batch": [r.message]}
                                                    for r in report.records])
    simulator = simulator_of(app)
    contact = simulator.contact(simulator.workspace_for_key(KEY), "ada")
    assert contact["organization_id"] == "acme" and contact["event_count"] == 1


@pytest.mark.parametrize("wire", ["direct", "batch"])
def test_the_local_segment_delivers_on_either_wire(wire: str) -> None:
    with opened_app({"AKITA_API_KEY": KEY, "AKITA_SEGMENT_WIRE": wire}) as app:
        app.test_client().post("/v1/identify", json=IDENTIFY, auth=(KEY, ""))
        simulator = simulator_of(app)
        [entry] = simulator.journal(simulator.workspace_for_key(KEY))

    assert entry["status"] == "accepted" and entry["segment_call"]["userId"] == "ada"


def test_a_call_whose_type_is_not_a_string_is_a_400_not_a_500(app: Flask) -> None:
    status, body = post(app, {**IDENTIFY, "type": ["track"]})

    assert status == 400 and body["errors"][0]["path"] == "$.type"
