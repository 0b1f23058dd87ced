"""The Segment Tracking API as an SDK meets it: write keys, gzip, limits, Segment's answers,
and what each call leaves in the simulator's state and journal."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from contract.limits import MAX_BATCH_BYTES, MAX_BATCH_MESSAGES, MAX_MESSAGE_BYTES
from simulator.service import Simulator
from simulator.web import simulator_of
from simulator.web.serving import opened_app

KEY = "wk_gateway_test"
GROUP = {"type": "group", "userId": "u-1", "groupId": "acme", "traits": {"name": "Acme"},
         "messageId": "g-1", "timestamp": "2026-11-29T10:00:00Z"}
IDENTIFY = {"type": "identify", "userId": "u-1", "traits": {"groupId": "acme"},
            "messageId": "i-1", "timestamp": "2026-11-29T10:01:00Z"}
TRACK = {"type": "track", "userId": "u-1", "event": "Signed Up", "messageId": "t-1",
         "timestamp": "2026-11-29T10:02:00Z"}


def basic(username_and_password: str) -> dict[str, str]:
    """An Authorization header with these credentials, as base64."""
    token = base64.b64encode(username_and_password.encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def app() -> Iterator[Flask]:
    """The served app (simulator and gateway), in process, with an in-memory store."""
    with opened_app({"AKITA_DB": None, "TESTING": True}) as app:
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Flask's test client of `app`."""
    return app.test_client()


@pytest.fixture
def sim(app: Flask) -> Simulator:
    """The simulator behind the gateway."""
    return simulator_of(app)


def post(client: FlaskClient, path: str, body: Any, *, headers: dict[str, str] | None = None,
         compress: bool = False) -> Any:
    """POST `body` as JSON (gzip with `compress`), with Basic auth for KEY unless `headers`."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    sent = {"Content-Type": "application/json", **(basic(f"{KEY}:") if headers is None
                                                     else headers)}
    if compress:
        data, sent["Content-Encoding"] = gzip.compress(data), "gzip"
    return client.post(path, data=data, headers=sent)


def workspace(sim: Simulator, key: str = KEY) -> str:
    """The workspace of a write key; fails when the gateway created none."""
    found = sim.workspace_for_key(key)
    assert found is not None, "no workspace for the write key"
    return found


def statuses(sim: Simulator, key: str = KEY) -> list[tuple[str, str | None]]:
    """(status, message_id) of every journal entry, oldest first."""
    return [(e["status"], e["message_id"]) for e in reversed(sim.journal(workspace(sim, key)))]


# -- answers and delivery --------------------------------------------------------------------


def test_a_batch_is_answered_as_segment_does_and_lands_in_akita(client: FlaskClient,
                                                               sim: Simulator) -> None:
    response = post(client, "/v1/batch", {"batch": [GROUP, IDENTIFY, TRACK]})

    assert (response.status_code, response.json) == (200, {"success": True})
    state = sim.snapshot(workspace(sim))
    (contact,) = state["contacts"]
    assert (contact["person_id"], contact["organization_id"]) == ("u-1", "acme")
    assert state["counts"]["events"] == 1


@pytest.mark.parametrize("kind", ["identify", "track", "page", "group", "screen", "alias"])
def test_every_single_call_path_sets_the_calls_type(client: FlaskClient, sim: Simulator,
                                                    kind: str) -> None:
    call = {"type": "identify", "userId": "u-1", "event": "E", "groupId": "g",
            "previousId": "p", "messageId": f"m-{kind}", "timestamp": "2026-11-29T10:00:00Z"}

    response = post(client, f"/v1/{kind}", call)

    assert response.json == {"success": True}
    (entry,) = sim.journal(workspace(sim))
    assert entry["segment_call"]["type"] == kind


def test_analytics_js_paths_text_plain_and_the_key_in_the_body(client: FlaskClient,
                                                                sim: Simulator) -> None:
    headers = {"Content-Type": "text/plain"}
    single = client.post("/v1/t", data=json.dumps({**TRACK, "writeKey": KEY}), headers=headers)
    batch = client.post("/v1/b", data=json.dumps({"batch": [GROUP], "writeKey": KEY}),
                        headers=headers)

    assert single.json == batch.json == {"success": True}
    assert statuses(sim) == [("accepted", "t-1"), ("accepted", "g-1")]


def test_browsers_may_call_from_any_origin(client: FlaskClient) -> None:
    preflight = client.options("/v1/batch", headers={"Origin": "http://localhost:3000"})
    answer = post(client, "/v1/batch", {"batch": []})

    for response in (preflight, answer):
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


# -- write keys ------------------------------------------------------------------------------


@pytest.mark.parametrize(("headers", "body_key"), [
    (basic(f"{KEY}:"), None),  # every SDK
    (basic(KEY), None),  # no colon: tolerated
    (basic(f"{KEY}:ignored"), None),  # a password: tolerated
    ({}, KEY),  # analytics.js: in the body
    ({"Authorization": "Bearer oauth-token"}, KEY),  # OAuth: not a write key
    (basic(f"{KEY}:"), "another-key"),  # Basic auth first
])
def test_write_key_forms(client: FlaskClient, sim: Simulator, headers: dict[str, str],
                         body_key: str | None) -> None:
    body: dict[str, Any] = {"batch": [TRACK]}
    if body_key:
        body["writeKey"] = body_key

    response = post(client, "/v1/batch", body, headers=headers)

    assert response.json == {"success": True}
    assert statuses(sim) == [("accepted", "t-1")]
    assert len(sim.list_workspaces()) == 1


@pytest.mark.parametrize("headers", [{}, basic(":"), basic(":password"),
                                     {"Authorization": "Basic not-base64!"}])
def test_no_write_key_is_a_400_and_changes_nothing(client: FlaskClient, sim: Simulator,
                                                   headers: dict[str, str]) -> None:
    response = post(client, "/v1/batch", {"batch": [TRACK], "writeKey": ""}, headers=headers)

    assert response.status_code == 400
    assert response.json["success"] is False
    assert response.json["code"] == "missing_write_key"
    assert sim.list_workspaces() == []


def test_a_write_key_gets_one_workspace_created_on_first_use(client: FlaskClient,
                                                             sim: Simulator) -> None:
    for call in (GROUP, IDENTIFY, TRACK):
        post(client, "/v1/batch", {"batch": [call]})

    (only,) = sim.list_workspaces()
    assert only["name"].startswith("Segment write key ")
    assert KEY not in json.dumps(only)
    assert sim.snapshot(only["id"])["counts"]["messages"] == 3


def test_a_write_key_that_is_an_api_key_uses_that_workspace(client: FlaskClient,
                                                            sim: Simulator) -> None:
    created = sim.create_workspace("mine", KEY)

    post(client, "/v1/batch", {"batch": [TRACK]})

    assert [ws["id"] for ws in sim.list_workspaces()] == [created["id"]]


def test_the_write_key_is_never_journaled(client: FlaskClient, sim: Simulator) -> None:
    calls = [{**TRACK, "writeKey": KEY}, {"type": "track", "userId": "u", "writeKey": KEY},
             {**TRACK, "messageId": "t-2", "integrations": {"Akita": False}}]
    post(client, "/v1/batch", {"batch": calls, "writeKey": KEY})
    post(client, "/v1/track", {**TRACK, "writeKey": KEY})

    assert KEY not in json.dumps(sim.journal(workspace(sim)))


# -- bodies: gzip, limits, JSON ----------------------------------------------------------------


def test_a_gzip_batch_is_inflated(client: FlaskClient, sim: Simulator) -> None:
    response = post(client, "/v1/batch", {"batch": [GROUP, IDENTIFY]}, compress=True)

    assert response.json == {"success": True}
    assert statuses(sim) == [("accepted", "g-1"), ("accepted", "i-1")]


def test_concatenated_gzip_members_are_one_body(client: FlaskClient, sim: Simulator) -> None:
    text = json.dumps({"batch": [TRACK]}).encode()
    data = gzip.compress(text[:10]) + gzip.compress(text[10:])

    response = client.post("/v1/batch", data=data, headers={
        **basic(f"{KEY}:"), "Content-Encoding": "gzip", "Content-Type": "application/json"})

    assert response.json == {"success": True}


@pytest.mark.parametrize(("path", "inflated"), [("/v1/batch", MAX_BATCH_BYTES + 1),
                                                ("/v1/track", MAX_MESSAGE_BYTES + 1),
                                                ("/v1/batch", 50 * 1024 * 1024)])
def test_a_gzip_body_inflating_past_the_limit_is_a_400(client: FlaskClient, path: str,
                                                       inflated: int) -> None:
    bomb = b'{"batch": [], "pad": "' + b"0" * inflated + b'"}'

    response = post(client, path, bomb, compress=True)

    assert response.status_code == 400
    assert response.json["code"] == "too_large"


@pytest.mark.parametrize(("encoding", "data", "code"), [
    ("gzip", b'{"batch": []}', "invalid_gzip"),
    ("gzip", gzip.compress(b'{"batch": []}', mtime=0)[:-4], "invalid_gzip"),
    ("br", b'{"batch": []}', "unsupported_encoding"),
])
def test_a_body_that_cannot_be_decoded_is_a_400(client: FlaskClient, encoding: str,
                                                data: bytes, code: str) -> None:
    response = client.post("/v1/batch", data=data, headers={
        **basic(f"{KEY}:"), "Content-Encoding": encoding})

    assert (response.status_code, response.json["code"]) == (400, code)


@pytest.mark.parametrize(("path", "size"), [("/v1/batch", MAX_BATCH_BYTES + 1),
                                            ("/v1/identify", MAX_MESSAGE_BYTES + 1)])
def test_an_oversize_body_is_a_400_before_it_is_read(client: FlaskClient, path: str,
                                                     size: int) -> None:
    response = client.post(path, data=b" " * size, headers=basic(f"{KEY}:"))

    assert response.status_code == 400
    assert response.json["success"] is False
    assert f"{size:,} bytes" in response.json["message"]


def test_one_oversize_call_in_a_batch_is_a_400_naming_it(client: FlaskClient,
                                                         sim: Simulator) -> None:
    big = {**TRACK, "properties": {"blob": "x" * MAX_MESSAGE_BYTES}}

    response = post(client, "/v1/batch", {"batch": [GROUP, big]})

    assert response.status_code == 400
    assert "$.batch[1]" in response.json["message"]
    assert sim.list_workspaces() == []


def test_a_batch_over_the_call_limit_is_taken_and_the_extra_calls_rejected(
        client: FlaskClient, sim: Simulator) -> None:
    calls = [{**TRACK, "messageId": f"over-{n}"} for n in range(MAX_BATCH_MESSAGES + 2)]

    response = post(client, "/v1/batch", {"batch": calls})

    assert (response.status_code, response.json) == (200, {"success": True})
    entries = sim.journal(workspace(sim), limit=1000)
    rejected = [e for e in entries if e["status"] == "rejected"]
    assert [e["segment_call"]["messageId"] for e in rejected] == [
        f"over-{MAX_BATCH_MESSAGES + 1}", f"over-{MAX_BATCH_MESSAGES}"]
    assert "rejects the calls over the limit" in rejected[0]["reasons"][0]
    assert sim.counts(workspace(sim))["messages"] == MAX_BATCH_MESSAGES


@pytest.mark.parametrize("data", [b"{nope", b'{"batch": [NaN]}', b"\xff\xfe{}", b"",
                                  b"[" * 100_000])
def test_invalid_json_is_a_400(client: FlaskClient, data: bytes) -> None:
    response = post(client, "/v1/batch", data)

    assert (response.status_code, response.json["code"]) == (400, "invalid_json")
    assert response.json["success"] is False


@pytest.mark.parametrize(("path", "body"), [
    ("/v1/batch", [TRACK]),
    ("/v1/batch", {"batch": {"0": TRACK}}),
    ("/v1/batch", {"calls": [TRACK]}),
    ("/v1/batch", {"batch": [], "context": "web"}),
    ("/v1/track", [TRACK]),
])
def test_a_body_of_the_wrong_shape_is_a_400(client: FlaskClient, path: str, body: Any) -> None:
    response = post(client, path, body)

    assert (response.status_code, response.json["code"]) == (400, "invalid_body")


# -- calls Akita cannot use: 200 all the same, and the journal says why --------------------------


def test_an_invalid_call_is_a_200_and_journaled_as_failed_with_its_reason(
        client: FlaskClient, sim: Simulator) -> None:
    response = post(client, "/v1/batch", {"batch": [
        {"type": "track", "userId": "u-1", "messageId": "bad-1"}, "not a call", TRACK]})

    assert response.json == {"success": True}
    journal = {e["message_id"]: e for e in sim.journal(workspace(sim))}
    assert journal["bad-1"]["status"] == "failed"
    assert journal["bad-1"]["reasons"] == ["invalid Segment call: $.event: is required"]
    assert journal["bad-1"]["segment_call"]["type"] == "track"
    (not_a_call,) = [e for e in journal.values() if e["segment_call"] == "not a call"]
    assert not_a_call["status"] == "failed"
    assert journal["t-1"]["status"] == "accepted"


def test_filtered_calls_are_journaled_as_filtered_and_never_reach_akita(
        client: FlaskClient, sim: Simulator) -> None:
    post(client, "/v1/batch", {"batch": [TRACK, {**GROUP, "integrations": {"Akita": True}},
                                         {**IDENTIFY, "integrations": {"Akita": False}}],
                               "integrations": {"All": False}})

    journal = {e["message_id"]: e for e in sim.journal(workspace(sim))}
    assert [journal[m]["status"] for m in ("t-1", "g-1", "i-1")] == ["filtered", "accepted",
                                                                     "filtered"]
    assert "integrations.All is false" in journal["t-1"]["reasons"][0]
    assert journal["i-1"]["reasons"] == ['integrations["Akita"] is false: the call is not sent '
                                         'to Akita']
    assert sim.snapshot(workspace(sim))["counts"]["messages"] == 1


def test_screen_and_alias_are_journaled_as_skipped(client: FlaskClient, sim: Simulator) -> None:
    post(client, "/v1/screen", {"userId": "u-1", "messageId": "s-1"})
    post(client, "/v1/alias", {"userId": "u-1", "previousId": "a-1", "messageId": "a-1"})

    entries = sim.journal(workspace(sim))
    assert [(e["status"], e["type"]) for e in entries] == [("skipped", "alias"),
                                                            ("skipped", "screen")]
    assert entries[1]["reasons"] == ["$.type: Akita does not support screen calls"]


def test_delivered_calls_carry_their_segment_call_in_akitas_journal_entry(
        client: FlaskClient, sim: Simulator) -> None:
    post(client, "/v1/batch", {"batch": [TRACK, TRACK], "context": {"ip": "10.0.0.1"}})
    post(client, "/v1/batch", {"batch": [TRACK]})

    entries = sim.journal(workspace(sim))
    assert [e["status"] for e in entries] == ["duplicate", "duplicate", "accepted"]
    for entry in entries:
        assert entry["segment_call"]["event"] == "Signed Up"
        assert "receivedAt" in entry["segment_call"]
    assert entries[2]["akita_message"]["message_id"] == "t-1"
    assert entries[2]["segment_call"]["context"] == {"ip": "10.0.0.1"}
    for repeat in entries[:2]:  # dropped at Segment's edge: Akita never saw them
        assert repeat["akita_message"] is None
        assert "messageId 't-1' was received before" in repeat["reasons"][0]


def test_a_call_nested_past_the_limit_is_taken_and_journaled_not_a_500(
        client: FlaskClient, sim: Simulator) -> None:
    deep = "[" * 500 + "]" * 500  # small, yet deeper than copy.deepcopy can recurse
    body = ('{"batch": [{"type": "track", "userId": "u1", "event": "Deep", '
            '"timestamp": "2026-11-29T10:00:00Z", "properties": {"x": ' + deep + '}}]}')

    answer = client.post("/v1/batch", data=body, content_type="application/json",
                         auth=("deep-key", ""))

    assert answer.status_code == 200
    [entry] = sim.journal(sim.workspace_for_key("deep-key"))
    assert entry["status"] == "failed"
    assert any("levels deep" in reason for reason in entry["reasons"])
