"""What a 200 from the local Segment promises: the call is delivered, or discarded with a
reason, never dropped; and Segment's edge drops repeats of a messageId, across sources.

A real simulator behind the gateway, its faults set per workspace; the gateway's clock is a
list the test moves, so four hours of retries take no time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from destination.gateway import SegmentGateway
from simulator.service import Simulator
from simulator.service.faults import FaultPlan
from simulator.web import simulator_of
from simulator.web.serving import opened_app

START = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
KEY, OTHER_KEY = "wk_delivery", "wk_other_source"
CALL = {"type": "identify", "userId": "u1", "messageId": "id-1",
        "traits": {"groupId": "acme"}, "timestamp": "2026-11-29T11:00:00Z"}


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move forward by a timedelta's worth."""
        self.now += timedelta(**delta)


@pytest.fixture
def app() -> Iterator[Flask]:
    """The Akita the gateway delivers into (no gateway of its own)."""
    with opened_app({"AKITA_DB": None}, segment=False) as app:
        yield app


@pytest.fixture
def clock() -> Clock:
    """The gateway's clock."""
    return Clock()


@pytest.fixture
def gateway(app: Flask, clock: Clock) -> SegmentGateway:
    """A gateway into `app` on the test's clock."""
    return SegmentGateway(simulator_of(app), app, clock=clock)


def fail_next(sim: Simulator, key: str, *answers: int | str) -> str:
    """The key's workspace, set to answer `answers` to its next ingest requests."""
    workspace = sim.ensure_workspace(key)
    sim.faults_of(workspace).configure(FaultPlan(sequence=answers, retry_after=120))
    return workspace


def statuses(sim: Simulator, workspace: str) -> list[str]:
    """The journal's statuses, oldest first."""
    return [entry["status"] for entry in reversed(sim.journal(workspace))]


def test_a_503_queues_the_call_and_a_later_retry_delivers_it(
        app: Flask, gateway: SegmentGateway, clock: Clock) -> None:
    sim = simulator_of(app)
    workspace = fail_next(sim, KEY, 503)

    (record,) = gateway.send(KEY, [CALL])

    assert record["status"] == "failed" and sim.contacts(workspace) == []
    assert record["reason"].startswith("errors.awaiting-retry.503: ")
    assert gateway.queue.retry() == {"delivered": 0, "awaiting_retry": 0, "discarded": 0,
                                     "waiting_for_key": 0}  # not due yet
    clock.advance(minutes=1)
    assert gateway.queue.retry()["delivered"] == 1
    assert sim.contact(workspace, "u1")["organization_id"] == "acme"
    assert statuses(sim, workspace) == ["failed", "accepted"]
    accepted = sim.journal(workspace, status="accepted")[0]
    assert accepted["segment_call"]["messageId"] == "id-1"  # the call shown beside it
    assert sim.deliveries(workspace)["totals"]["delivered"] == {"delivered": 1}


def test_retry_after_is_honoured_and_waits_grow_until_the_window_discards_the_call(
        app: Flask, gateway: SegmentGateway, clock: Clock) -> None:
    sim = simulator_of(app)
    workspace = fail_next(sim, KEY, *([429] + [500] * 40))
    gateway.send(KEY, [CALL])
    (queued,) = sim.deliveries(workspace)["awaiting_retry"]
    assert queued["next_at"] == "2026-11-29T12:02:00.000Z"  # Retry-After: 120

    waits = []
    while sim.deliveries(workspace)["awaiting_retry"]:
        due = datetime.fromisoformat(sim.deliveries(workspace)["awaiting_retry"][0]["next_at"])
        waits.append(due - clock.now)
        clock.now = due
        gateway.queue.retry()

    assert clock.now - START >= timedelta(hours=4)
    assert waits[2] < waits[5] < waits[8]  # exponential, randomized
    totals = sim.deliveries(workspace)["totals"]
    assert totals["discarded"] == {"errors.discarded.500": 1}
    last = sim.journal(workspace)[0]
    assert last["status"] == "failed" and "retried" in last["reasons"][0]
    assert last["reasons"][0].startswith("errors.discarded.500: ")
    assert sim.contacts(workspace) == []


def test_a_refusal_on_a_retry_discards_the_call_with_its_code(
        app: Flask, clock: Clock) -> None:
    sim = simulator_of(app)
    answers = ["503 SERVICE UNAVAILABLE", "401 UNAUTHORIZED"]

    def akita(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response(answers.pop(0), [("Content-Type", "application/json")])
        return [json.dumps({"message": "unknown API key"}).encode()]

    gateway = SegmentGateway(sim, akita, clock=clock)
    gateway.send(KEY, [CALL])
    clock.advance(minutes=1)

    assert gateway.queue.retry()["discarded"] == 1

    workspace = sim.workspace_for_key(KEY)
    assert sim.deliveries(workspace)["totals"]["discarded"] == {"errors.discarded.401": 1}
    refused = sim.journal(workspace)[0]
    assert (refused["status"], refused["reasons"][0].split(":")[0]) == (
        "rejected", "errors.discarded.401")


def test_a_reset_forgets_what_was_queued(app: Flask, gateway: SegmentGateway) -> None:
    sim = simulator_of(app)
    workspace = fail_next(sim, KEY, 503)
    gateway.send(KEY, [CALL])

    sim.reset(workspace)

    assert sim.deliveries(workspace)["awaiting_retry"] == []
    assert gateway.queue.retry(everything=True)["delivered"] == 0


def test_retry_now_tries_every_waiting_call_due_or_not(
        app: Flask, gateway: SegmentGateway) -> None:
    sim = simulator_of(app)
    workspace = fail_next(sim, KEY, "drop", "drop")  # one request a call, on the partner wire
    gateway.send(KEY, [CALL, {**CALL, "messageId": "id-2", "userId": "u2"}])
    assert [row["code"] for row in sim.deliveries(workspace)["awaiting_retry"]] == [
        "errors.awaiting-retry.ECONNRESET"] * 2

    outcome = gateway.queue.retry(workspace_id=workspace, everything=True)

    assert outcome["delivered"] == 2
    assert {c["person_id"] for c in sim.contacts(workspace)} == {"u1", "u2"}


def test_the_queue_survives_a_restart_and_resumes_once_the_source_sends_again(
        tmp_path: Path, clock: Clock) -> None:
    config = {"AKITA_DB": str(tmp_path / "queue.sqlite3")}
    with opened_app(config, segment=False) as first:
        sim = simulator_of(first)
        fail_next(sim, KEY, 503)
        SegmentGateway(sim, first, clock=clock).send(KEY, [CALL])

    with opened_app(config, segment=False) as second:
        sim = simulator_of(second)
        gateway = SegmentGateway(sim, second, clock=clock)
        workspace = sim.workspace_for_key(KEY)
        clock.advance(minutes=5)
        assert gateway.queue.retry()["waiting_for_key"] == 1  # keys are never stored
        gateway.send(KEY, [{**CALL, "messageId": "id-2", "userId": "u2"}])
        assert gateway.queue.retry()["delivered"] == 1
        assert {c["person_id"] for c in sim.contacts(workspace)} == {"u1", "u2"}


def test_the_edge_drops_a_repeated_message_id_from_any_source_before_filtering(
        app: Flask, gateway: SegmentGateway) -> None:
    sim = simulator_of(app)
    filtered = {**CALL, "messageId": "id-f", "integrations": {"Akita": False}}
    gateway.send(KEY, [filtered, CALL])

    records = gateway.send(OTHER_KEY, [CALL, {**filtered, "integrations": {}}])

    assert [r["status"] for r in records] == ["duplicate", "duplicate"]
    assert "write key" in records[0]["reason"] and "received before" in records[0]["reason"]
    other = sim.workspace_for_key(OTHER_KEY)
    assert sim.contacts(other) == []  # Akita never saw the repeats
    assert statuses(sim, other) == ["duplicate", "duplicate"]


def test_the_edge_forgets_a_message_id_after_its_window(app: Flask, clock: Clock) -> None:
    sim = simulator_of(app)
    gateway = SegmentGateway(sim, app, clock=clock, dedup_window=timedelta(hours=1))
    gateway.send(KEY, [CALL])

    clock.advance(minutes=59)
    assert gateway.send(KEY, [CALL])[0]["status"] == "duplicate"
    clock.advance(minutes=2)
    again = gateway.send(KEY, [CALL])[0]

    assert again["status"] == "duplicate" and again["reason"] is None  # Akita's own, forever
