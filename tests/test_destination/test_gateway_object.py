"""SegmentGateway as the dashboard's playground uses it (`preview`, `send`), and what it
journals when Akita fails or refuses: a fixed clock, a real simulator, scripted Akitas."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from flask import Flask

from destination.gateway import SegmentGateway
from destination.gateway.transport import in_process_session
from simulator.service import Simulator
from simulator.web import simulator_of
from simulator.web.serving import opened_app

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
KEY = "wk_object_test"
SKEWED_PAGE = {"type": "page", "anonymousId": "anon-1", "name": "Pricing",
               "originalTimestamp": "2026-11-29T14:00:00Z", "sentAt": "2026-11-29T14:00:30Z"}
Wsgi = Callable[[dict[str, Any], Callable[..., Any]], list[bytes]]


@pytest.fixture
def app() -> Iterator[Flask]:
    """A simulator app (without a gateway of its own): the Akita the gateways deliver into."""
    with opened_app({"AKITA_DB": None, "TESTING": True}, segment=False) as app:
        yield app


@pytest.fixture
def sim(app: Flask) -> Simulator:
    """The app's simulator: workspaces and journal."""
    return simulator_of(app)


@pytest.fixture
def gateway(app: Flask, sim: Simulator) -> SegmentGateway:
    """A gateway into `app`, its clock stopped at NOW."""
    return SegmentGateway(sim, app, clock=lambda: NOW)


def answering(status: str, body: dict[str, Any]) -> Wsgi:
    """A WSGI Akita that gives every request the same answer."""
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response(status, [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]
    return app


def test_preview_shows_the_enriched_call_and_its_akita_message(gateway: SegmentGateway) -> None:
    preview = gateway.preview(SKEWED_PAGE)

    assert (preview["status"], preview["problems"], preview["reason"]) == ("mapped", [], None)
    assert preview["call"]["receivedAt"] == "2026-11-29T12:00:00.000Z"
    assert preview["message"]["timestamp"] == "2026-11-29T11:59:30.000Z"  # skew corrected
    assert preview["message"]["message_id"] == preview["call"]["messageId"]


@pytest.mark.parametrize(("call", "status", "reason", "problems"), [
    ({"type": "track", "userId": "u"}, "invalid", "the call breaks the Segment contract",
     [{"path": "$.event", "reason": "is required"}]),
    ({"type": "screen", "userId": "u"}, "skipped", "Akita does not support screen calls", []),
    ({"type": "track", "userId": "u", "event": "E", "integrations": {"All": False}},
     "filtered", "integrations.All is false and Akita is not enabled by name "
                 '(add "Akita": true to send it)', []),
])
def test_preview_says_why_a_call_would_not_reach_akita(
        gateway: SegmentGateway, call: dict, status: str, reason: str, problems: list) -> None:
    preview = gateway.preview(call)

    assert (preview["status"], preview["reason"], preview["problems"]) == (status, reason,
                                                                          problems)
    assert preview["message"] is None


def test_preview_changes_nothing(gateway: SegmentGateway, sim: Simulator) -> None:
    gateway.preview(SKEWED_PAGE)

    assert sim.list_workspaces() == []


def test_send_returns_one_record_per_call_in_order(gateway: SegmentGateway,
                                                   sim: Simulator) -> None:
    calls = [SKEWED_PAGE, {"type": "screen", "userId": "u"},
             {**SKEWED_PAGE, "integrations": {"Akita": False}}, {"type": "track"}]

    records = gateway.send(KEY, calls)

    assert [r["status"] for r in records] == ["delivered", "skipped", "filtered", "invalid"]
    assert records[0]["message"]["timestamp"] == "2026-11-29T11:59:30.000Z"
    assert records[0]["response"]["status"] == 200
    assert KEY not in json.dumps(records)  # the request's Authorization is redacted
    (visitor,) = sim.visitors(sim.workspace_for_key(KEY))
    assert visitor["anonymous_id"] == "anon-1"


def test_send_takes_batch_level_fields(gateway: SegmentGateway) -> None:
    (record,) = gateway.send(KEY, [{k: v for k, v in SKEWED_PAGE.items() if k != "sentAt"}],
                             batch={"sentAt": "2026-11-29T14:01:00Z",
                                    "context": {"groupId": "acme"}})

    assert record["message"]["timestamp"] == "2026-11-29T11:59:00.000Z"
    assert record["message"]["organization_id"] == "acme"


def test_concurrent_first_requests_with_one_key_create_one_workspace(
        gateway: SegmentGateway, sim: Simulator) -> None:
    page = {**SKEWED_PAGE, "messageId": "page-1"}  # the same call, sent eight times at once
    threads = [threading.Thread(target=gateway.send, args=(KEY, [page])) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(sim.list_workspaces()) == 1
    statuses = sorted(e["status"] for e in sim.journal(sim.workspace_for_key(KEY)))
    assert statuses == ["accepted"] + ["duplicate"] * 7


def test_an_akita_that_answers_503_gets_the_call_queued_for_retry(sim: Simulator) -> None:
    gateway = SegmentGateway(sim, answering("503 SERVICE UNAVAILABLE", {"message": "down"}),
                             clock=lambda: NOW)

    (record,) = gateway.send(KEY, [SKEWED_PAGE])

    assert (record["status"], record["attempts"]) == ("failed", 1)  # one attempt while waiting
    assert record["reason"].startswith("errors.awaiting-retry.503: ")
    (entry,) = sim.journal(sim.workspace_for_key(KEY))
    assert entry["status"] == "failed"
    assert entry["reasons"] == [record["reason"]]
    (queued,) = sim.deliveries(sim.workspace_for_key(KEY))["awaiting_retry"]
    assert (queued["attempts"], queued["code"]) == (1, "errors.awaiting-retry.503")
    assert entry["segment_call"]["name"] == "Pricing"
    assert entry["akita_message"] == record["message"]


def test_a_refusal_akita_did_not_journal_is_journaled_by_the_gateway(sim: Simulator) -> None:
    gateway = SegmentGateway(sim, answering("401 UNAUTHORIZED", {"message": "unknown API key"}),
                             clock=lambda: NOW)

    (record,) = gateway.send(KEY, [SKEWED_PAGE])

    assert record["status"] == "rejected"
    (entry,) = sim.journal(sim.workspace_for_key(KEY))
    assert (entry["status"], entry["reasons"]) == ("rejected", ["unknown API key"])
    assert entry["response"] == {"status": 401, "body": {"message": "unknown API key"}}


def test_the_in_process_transport_reaches_nothing_but_its_app() -> None:
    with pytest.raises(requests.exceptions.InvalidSchema):
        in_process_session(answering("200 OK", {})).get("http://127.0.0.1:9/")
