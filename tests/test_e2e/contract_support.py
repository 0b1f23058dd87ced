"""What the contract suite's tests share: fresh workspaces inside Hypothesis examples, delivery
through the real destination, the check of one delivery against the reference model, and the
note that turns a failing journey into Segment calls a user can paste into `akita-map`.

Hypothesis runs many examples inside one test, while the plugin's `akita_workspace` is one per
test; so each example opens its own workspace on the session's `akita_server` instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import requests
from hypothesis import Phase, note, settings
from reference_model import View, differences, expected_view, observed_view

from contract.limits import MAX_BATCH_MESSAGES
from destination import AkitaClient, DeliveryReport, prepare
from simulator.pytest_plugin import AkitaWorkspace
from simulator.web.live_server import LiveServer

Model = Callable[[list[dict[str, Any]]], View]
# Hypothesis's explain phase replays a shrunk failure under a line tracer: over HTTP that takes
# minutes, outlasts pytest's timeout and loses the shrunk case. Every property here skips it.
NO_EXPLAIN = tuple(phase for phase in Phase if phase is not Phase.explain)
over_http = settings(phases=NO_EXPLAIN)
PASTE_HEADER = "Segment calls (JSON Lines, paste into `akita-map`):"
_TIMEOUT = 10
_JOURNAL_PAGE = 1000  # the simulator's largest page; a journey is far smaller


def new_workspace(server: LiveServer) -> AkitaWorkspace:
    """A new, empty workspace on the live simulator: a clean slate for one example."""
    answer = requests.post(server.url_for("/_sim/workspaces"), json={}, timeout=_TIMEOUT)
    answer.raise_for_status()
    created = answer.json()
    return AkitaWorkspace(created["id"], created["api_key"],
                          server.url_for("/akita/v1/segment"), server.url)


def reset(workspace: AkitaWorkspace) -> None:
    """Empty a workspace through the control API; its key stays valid."""
    answer = requests.post(f"{workspace.server_url}/_sim/workspaces/{workspace.id}/reset",
                           timeout=_TIMEOUT)
    answer.raise_for_status()


def client_for(workspace: AkitaWorkspace, *, batch_size: int = MAX_BATCH_MESSAGES,
               session: requests.Session | None = None, wire: str = "batch") -> AkitaClient:
    """The destination's client for one workspace; batches leave when `batch_size` calls are
    queued or on flush, never on a timer, so a test decides what each request holds. On the
    direct wire each call is its own request, as Segment delivers to partners."""
    return AkitaClient(workspace.server_url, workspace.api_key, flush_interval=None,
                       max_batch_messages=batch_size, session=session, wire=wire)


def read_state(workspace: AkitaWorkspace, session: requests.Session) -> dict[str, Any]:
    """The workspace's snapshot over a kept-alive connection: a state machine reads it after
    every step, and shrinking a failure replays thousands of steps."""
    answer = session.get(f"{workspace.server_url}/_sim/workspaces/{workspace.id}/state",
                         timeout=_TIMEOUT)
    answer.raise_for_status()
    return answer.json()


def deliver(workspace: AkitaWorkspace, calls: Iterable[dict[str, Any]], *,
            batch_size: int = MAX_BATCH_MESSAGES, wire: str = "batch") -> DeliveryReport:
    """Send Segment calls through the destination (validate, map, batch, post, flush)."""
    with client_for(workspace, batch_size=batch_size, wire=wire) as client:
        return client.deliver(calls)


def mapped_messages(calls: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The Akita messages `destination.prepare` makes of the calls, in order; a call it does not
    map (invalid or skipped) fails the test, as journeys hold only calls Akita takes."""
    messages = []
    for call in calls:
        record = prepare(call)
        assert record.status == "mapped", (record.status, record.reason, record.problems, call)
        messages.append(record.message)
    return messages


def note_calls(calls: Iterable[dict[str, Any]]) -> None:
    """Attach the calls to a failure report (Hypothesis prints notes for the shrunk example
    only), one compact JSON object a line, as `akita-map` reads them."""
    lines = "\n".join(json.dumps(call, ensure_ascii=False, separators=(",", ":"))
                      for call in calls)
    note(f"{PASTE_HEADER}\n{lines}")


def accepted_messages(workspace: AkitaWorkspace) -> dict[str, dict[str, Any]]:
    """What the simulator journaled as accepted, by message_id: what really crossed the wire."""
    entries = workspace.journal(status="accepted", limit=_JOURNAL_PAGE)
    return {entry["message_id"]: entry["akita_message"] for entry in entries}


def check_delivery(server: LiveServer, calls: list[dict[str, Any]],
                   model: Model = expected_view, *, wire: str = "batch") -> dict[str, Any]:
    """Deliver `calls` into a fresh workspace on either wire and compare what Akita holds with
    the model of what `destination.prepare` maps them to; returns the snapshot for further
    checks. On the direct wire Akita maps each call itself: it must make the same messages."""
    messages = mapped_messages(calls)
    workspace = new_workspace(server)
    report = deliver(workspace, calls, wire=wire)
    assert {r.status for r in report.records} <= {"delivered", "duplicate"}, \
        [(r.status, r.reason) for r in report.records]
    first = {m["message_id"]: m for m in reversed(messages)}  # the first copy of each id
    assert accepted_messages(workspace) == first, "Akita received other messages than prepare's"
    snapshot = workspace.state()
    mismatches = differences(observed_view(snapshot), model(messages))
    assert not mismatches, "Akita and the model disagree:\n" + "\n".join(mismatches)
    return snapshot
