"""The dashboard answers "why did my call not arrive?" at a glance, as Event Delivery does."""

from __future__ import annotations

import html as entities
import re

from flask import Flask
from flask.testing import FlaskClient

from simulator.service.faults import FaultPlan
from simulator.web import simulator_of

KEY = "why-key"
T = "2026-03-01T09:00:00Z"
CALLS = [
    {"type": "track", "userId": "ada", "event": "Signed Up", "messageId": "t1", "timestamp": T},
    {"type": "track", "userId": "ada", "event": "Signed Up", "messageId": "t1", "timestamp": T},
    {"type": "track", "userId": "ada", "messageId": "t2", "timestamp": T},
    {"type": "track", "userId": "ada", "messageId": "t3", "timestamp": T},
    {"type": "screen", "userId": "ada", "messageId": "s1", "timestamp": T},
    {"type": "page", "userId": "ada", "name": "Pricing", "messageId": "p1", "timestamp": T,
     "integrations": {"All": False}},
]


def send(client: FlaskClient) -> str:
    """Send CALLS through the local Segment; the workspace's id."""
    assert client.post("/v1/batch", json={"batch": CALLS}, auth=(KEY, "")).status_code == 200
    return simulator_of(client.application).workspace_for_key(KEY)


def text(html: str) -> str:
    """A page's text, tags dropped, entities read."""
    return " ".join(entities.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_the_overview_counts_outcomes_and_groups_failures_by_reason(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    workspace = send(dashboard)
    simulator_of(dashboard_app).faults_of(workspace).configure(FaultPlan(sequence=(503,)))
    dashboard.post("/v1/identify", json={"userId": "bob", "messageId": "i9", "timestamp": T},
                   auth=(KEY, ""))

    page = text(dashboard.get(f"/workspaces/{workspace}").get_data(as_text=True))

    for outcome, count in (("delivered", 1), ("duplicate", 1), ("filtered", 1), ("skipped", 1),
                           ("invalid", 2), ("awaiting retry", 1)):
        assert f"{outcome} {count}" in page
    assert "invalid $.event: is required 2" in page  # two calls, one reason
    assert "awaiting retry errors.awaiting-retry.503 1" in page
    assert "duplicate a repeat Segment's edge dropped 1" in page


def test_journal_rows_name_the_event_and_its_time_and_the_type_filter_takes_both_names(
        dashboard: FlaskClient) -> None:
    workspace = send(dashboard)

    tracks = dashboard.get(f"/workspaces/{workspace}/journal?type=track").get_data(as_text=True)
    events = dashboard.get(f"/workspaces/{workspace}/journal?type=event").get_data(as_text=True)

    assert tracks.count('<li class="entry') == events.count('<li class="entry') == 4
    assert "Signed Up" in tracks and "2026-03-01T09:00:00.000Z" in tracks
    pages = dashboard.get(f"/workspaces/{workspace}/journal?type=page").get_data(as_text=True)
    assert "Pricing" in pages


def test_a_message_page_shows_the_segment_call_and_links_its_journal_entry(
        dashboard: FlaskClient) -> None:
    workspace = send(dashboard)

    page = dashboard.get(f"/workspaces/{workspace}/messages/t1").get_data(as_text=True)

    assert "The Segment call it came from" in page and "receivedAt" in page
    link = entities.unescape(re.search(r'href="([^"]+)">Its journal entry', page)[1])
    path, anchor = link.split("#")
    entries = dashboard.get(path).get_data(as_text=True)
    assert f'id="{anchor}"' in entries  # the entry that accepted it ...
    assert entries.count('<li class="entry') == 2  # ... beside the repeat the edge dropped


def test_connect_shows_the_served_key_and_configure_what_each_call_becomes(
        dashboard_app: Flask) -> None:
    dashboard_app.config["AKITA_API_KEY"] = KEY
    client = dashboard_app.test_client()
    workspace = simulator_of(dashboard_app).ensure_workspace(KEY)
    other = simulator_of(dashboard_app).create_workspace("other")["id"]

    connect = client.get(f"/workspaces/{workspace}/connect").get_data(as_text=True)
    elsewhere = client.get(f"/workspaces/{other}/connect").get_data(as_text=True)
    configure = text(client.get(f"/workspaces/{workspace}/configure").get_data(as_text=True))

    assert f'<code class="key">{KEY}</code>' in connect and "Segment.com API Key" in connect
    assert KEY not in elsewhere and "only its digest" in elsewhere
    assert "identify a contact" in configure and "groupId as a trait" in configure
    assert "screen nothing: Akita does not support it" in configure
