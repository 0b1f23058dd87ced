"""Dashboard pages with Flask's test client: each renders, shows what it must, pages, 404s."""

from __future__ import annotations

import html as entities
import re

import pytest
from dashboard_support import csrf_token, populate, service, workspace
from engine_messages import account, contact, event
from flask import Flask
from flask.testing import FlaskClient

from simulator.service.faults import FaultPlan
from simulator.web import simulator_of

PAGES = ("", "/accounts", "/contacts", "/pending", "/visitors", "/journal", "/playground")


def text(response: object) -> str:
    """A response's HTML with tags removed and whitespace folded: what a reader sees."""
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    return " ".join(entities.unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_for_an_empty_workspace(
        dashboard_app: Flask, dashboard: FlaskClient, path: str) -> None:
    ws = workspace(dashboard_app).workspace_id
    response = dashboard.get(f"/workspaces/{ws}{path}")
    assert response.status_code == 200
    assert response.mimetype == "text/html"


@pytest.mark.parametrize("path", [
    *PAGES, "/accounts/org/1", "/contacts/ann", "/contacts/bob", "/visitors/anon-2",
    "/messages/c1", "/journal?status=rejected", "/journal?type=event&person=ann",
])
def test_every_page_renders_for_a_populated_workspace(
        dashboard_app: Flask, dashboard: FlaskClient, path: str) -> None:
    ws = populate(dashboard_app).workspace_id
    assert dashboard.get(f"/workspaces/{ws}{path}").status_code == 200


def test_the_picker_lists_workspaces_and_links_each(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    first, second = workspace(dashboard_app, "first"), workspace(dashboard_app, "second")
    html = dashboard.get("/").get_data(as_text=True)
    assert f'href="/workspaces/{first.workspace_id}"' in html
    assert f'href="/workspaces/{second.workspace_id}"' in html
    assert ">first</a>" in html and ">second</a>" in html


def test_overview_counts_what_the_workspace_holds(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    ws = populate(dashboard_app).workspace_id
    shown = text(dashboard.get(f"/workspaces/{ws}"))
    counts = service(dashboard_app).counts(ws)
    for label, key in (("messages", "messages"), ("accounts", "accounts"),
                       ("contacts", "contacts"), ("pending", "pending"),
                       ("anonymous visitors", "visitors")):
        assert f"{label} {counts[key]}" in shown


def test_accounts_show_their_contact_counts(dashboard_app: Flask, dashboard: FlaskClient) -> None:
    ws = populate(dashboard_app).workspace_id
    shown = text(dashboard.get(f"/workspaces/{ws}/accounts"))
    assert "org/1 Acme 2" in shown  # ann and mallory


def test_an_account_page_lists_its_contacts_and_where_traits_came_from(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    ws = populate(dashboard_app).workspace_id
    html = dashboard.get(f"/workspaces/{ws}/accounts/org/1").get_data(as_text=True)
    assert f'href="/workspaces/{ws}/contacts/ann"' in html
    assert f'href="/workspaces/{ws}/contacts/mallory"' in html
    assert f'href="/workspaces/{ws}/messages/a1"' in html  # set the name "Acme"


def test_a_contact_page_shows_account_traits_with_sources_history_and_sessions(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    ws = populate(dashboard_app).workspace_id
    response = dashboard.get(f"/workspaces/{ws}/contacts/ann")
    html, shown = response.get_data(as_text=True), text(response)
    assert "In account org/1 ( Acme ), with 2 contacts" in shown
    assert "plan pro c1 Segment 2026-03-01T09:00:00.000Z" in shown  # the value, how it came
    assert f'href="/workspaces/{ws}/messages/c1"' in html
    assert "org/1 2026-03-01T09:00:00.000Z c1 Segment" in shown  # account history
    assert "anon-1" in shown
    # Two sessions, newest first: the stitched page joins the first one.
    sessions = re.findall(r'<section class="session" aria-label="session ([^"]+)"', html)
    assert [s.split(":")[0] for s in sessions] == ["ann", "ann"]
    assert shown.index("Invite Sent") < shown.index("Pricing") < shown.index("Report Exported")
    assert html.count('class="mark event"') == 2 and html.count('class="mark page"') == 1


def test_a_pending_contact_shows_why_and_calls_that_would_place_it(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    ws = populate(dashboard_app).workspace_id
    shown = text(dashboard.get(f"/workspaces/{ws}/contacts/bob"))
    assert "pending no group call or groupId trait" in shown
    # Its event names org/2, so that is the account suggested.
    assert '"type": "group", "userId": "bob", "groupId": "org/2"' in shown
    assert '"traits": { "groupId": "org/2" }' in shown
    listed = dashboard.get(f"/workspaces/{ws}/pending").get_data(as_text=True)
    assert "bob" in listed and "ann" not in listed
    assert "/playground?call=" in listed


def test_visitors_are_listed_with_their_sessions(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    ws = populate(dashboard_app).workspace_id
    listed = text(dashboard.get(f"/workspaces/{ws}/visitors"))
    assert "anon-2 0 1 1" in listed and "anon-1" not in listed  # anon-1 is ann's now
    assert "Home" in text(dashboard.get(f"/workspaces/{ws}/visitors/anon-2"))


def test_the_journal_shows_messages_responses_and_rejections_with_path_and_reason(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    ws = populate(dashboard_app).workspace_id
    html = dashboard.get(f"/workspaces/{ws}/journal?status=rejected").get_data(as_text=True)
    assert '<code class="path" dir="ltr">$.batch[0].person_id</code>' in html
    assert "Response 400" in text(dashboard.get(f"/workspaces/{ws}/journal?status=rejected"))
    entries = html[html.index('<ol class="journal">'):]
    assert "bad-1" in entries and "accepted" not in entries
    events = text(dashboard.get(f"/workspaces/{ws}/journal?type=event&person=ann"))
    assert events.count("accepted event") == 2


def test_the_journal_pages_back_by_id(dashboard_app: Flask, dashboard: FlaskClient) -> None:
    ws = workspace(dashboard_app).workspace_id
    sim = service(dashboard_app)
    for n in range(120):
        sim.ingest(ws, {"batch": [contact(f"m{n:03d}", n, f"p{n:03d}")]})
    first = dashboard.get(f"/workspaces/{ws}/journal").get_data(as_text=True)
    ids = [int(i) for i in re.findall(r'id="entry-(\d+)"', first)]
    assert len(ids) == 50 and ids == sorted(ids, reverse=True)
    older = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = dashboard.get(older).get_data(as_text=True)
    assert max(int(i) for i in re.findall(r'id="entry-(\d+)"', second)) == ids[-1] - 1
    third_url = re.search(r'rel="next" href="([^"]+)"', second).group(1).replace("&amp;", "&")
    third = dashboard.get(third_url).get_data(as_text=True)
    assert len(re.findall(r'id="entry-(\d+)"', third)) == 20
    assert 'rel="next"' not in third


def test_journal_auto_refresh_is_a_toggle_that_needs_no_script(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    ws = workspace(dashboard_app).workspace_id
    plain = dashboard.get(f"/workspaces/{ws}/journal").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in plain and "refresh=on" in plain
    refreshing = dashboard.get(f"/workspaces/{ws}/journal?refresh=on").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="5">' in refreshing
    assert "stop refreshing" in refreshing


@pytest.mark.parametrize("kind", ["accounts", "contacts"])
def test_lists_paginate(dashboard_app: Flask, dashboard: FlaskClient, kind: str) -> None:
    ws = workspace(dashboard_app).workspace_id
    batch = [account(f"a{n}", n, f"org-{n:03d}", person_id=f"p-{n:03d}") for n in range(120)]
    service(dashboard_app).ingest(ws, {"batch": batch})
    prefix = "org" if kind == "accounts" else "p"
    pages = [dashboard.get(f"/workspaces/{ws}/{kind}?page={n}").get_data(as_text=True)
             for n in (1, 2, 3, 4)]
    found = [re.findall(rf">({prefix}-\d+)</a>", html) for html in pages]
    assert [len(f) for f in found] == [50, 50, 20, 0]
    assert [name for page in found for name in page] == [f"{prefix}-{n:03d}" for n in range(120)]
    assert "page 1 of 3 (120 in all)" in pages[0] and 'rel="prev"' not in pages[0]
    assert 'rel="next"' in pages[1] and 'rel="prev"' in pages[1]
    assert "on this page" in pages[3]


def test_an_account_pages_its_contacts_and_a_contact_its_sessions(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    ws = workspace(dashboard_app).workspace_id
    batch = [account(f"a{n}", 0, "big", person_id=f"p-{n:03d}") for n in range(60)]
    batch += [event(f"e{n}", n * 60, person_id="p-000") for n in range(12)]  # 12 sessions
    service(dashboard_app).ingest(ws, {"batch": batch})
    members = dashboard.get(f"/workspaces/{ws}/accounts/big?page=2").get_data(as_text=True)
    assert len(re.findall(r">p-\d+</a>", members)) == 10
    first = dashboard.get(f"/workspaces/{ws}/contacts/p-000").get_data(as_text=True)
    second = dashboard.get(f"/workspaces/{ws}/contacts/p-000?page=2").get_data(as_text=True)
    assert first.count('<section class="session"') == 10
    assert second.count('<section class="session"') == 2
    assert "page 1 of 2 (12 in all)" in first


@pytest.mark.parametrize("path", [
    "/workspaces/ws_nope", "/workspaces/ws_nope/contacts", "/workspaces/{ws}/contacts/nobody",
    "/workspaces/{ws}/accounts/nowhere", "/workspaces/{ws}/visitors/nobody-anon",
    "/workspaces/{ws}/messages/never", "/workspaces/ws_nope/playground",
])
def test_unknown_ids_are_404_pages(dashboard_app: Flask, dashboard: FlaskClient, path: str) -> None:
    ws = populate(dashboard_app).workspace_id
    response = dashboard.get(path.format(ws=ws))
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "404: not found" in text(response)


@pytest.mark.parametrize("query", ["page=0", "page=two", "before=x", "status=lost"])
def test_bad_query_arguments_are_400_pages(
        dashboard_app: Flask, dashboard: FlaskClient, query: str) -> None:
    ws = workspace(dashboard_app).workspace_id
    page = "journal" if query.startswith(("before", "status")) else "contacts"
    response = dashboard.get(f"/workspaces/{ws}/{page}?{query}")
    assert response.status_code == 400 and response.mimetype == "text/html"


def test_ids_with_slashes_and_markup_round_trip_through_links(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    ws = workspace(dashboard_app).workspace_id
    odd = "team/<a>?&#"
    service(dashboard_app).ingest(ws, {"batch": [contact("m1", 0, odd, organization_id=odd)]})
    html = dashboard.get(f"/workspaces/{ws}/contacts").get_data(as_text=True)
    href = entities.unescape(re.search(r'href="(/workspaces/[^"]+/contacts/[^"]+)"', html)[1])
    assert "<" not in href and "?" not in href and "#" not in href
    shown = text(dashboard.get(href))
    assert f"Contact {odd}" in shown and f"In account {odd}" in shown


def test_the_workspace_page_shows_deliveries_awaiting_retry_and_retries_them_on_request(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    simulator = simulator_of(dashboard_app)
    workspace = simulator.ensure_workspace("delivery-key")
    simulator.faults_of(workspace).configure(FaultPlan(sequence=(503,)))
    call = {"userId": "u1", "messageId": "queued-1", "timestamp": "2026-03-01T09:00:00Z"}
    assert dashboard.post("/v1/identify", json=call, auth=("delivery-key", "")).status_code == 200

    page = dashboard.get(f"/workspaces/{workspace}").get_data(as_text=True)
    assert "errors.awaiting-retry.503" in page and "queued-1" in page

    token = csrf_token(dashboard, f"/workspaces/{workspace}")
    done = dashboard.post(f"/workspaces/{workspace}/deliveries/retry",
                          data={"csrf_token": token}, follow_redirects=True)
    assert "Retried: 1 delivered" in done.get_data(as_text=True)
    assert simulator.contact(workspace, "u1")["person_id"] == "u1"
    assert "delivered on a retry" in done.get_data(as_text=True)


def test_an_identified_visitors_page_points_to_its_contact(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    ws = service(dashboard_app).ensure_workspace("visitor-key")
    service(dashboard_app).ingest(ws, {"batch": [
        {"type": "page", "message_id": "p1", "timestamp": "2026-03-01T09:00:00.000Z",
         "anonymous_id": "anon-9", "name": "Home"},
        {"type": "contact", "message_id": "c1", "timestamp": "2026-03-01T09:01:00.000Z",
         "anonymous_id": "anon-9", "person_id": "ada"}]})

    answer = dashboard.get(f"/workspaces/{ws}/visitors/anon-9", follow_redirects=True)

    assert answer.request.path == f"/workspaces/{ws}/contacts/ada"
    assert "anon-9 was identified" in answer.get_data(as_text=True)


def test_the_delete_button_removes_the_workspace_and_its_key(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    created = simulator_of(dashboard_app).create_workspace("doomed", "doomed-key")

    token = csrf_token(dashboard, f"/workspaces/{created['id']}")
    done = dashboard.post(f"/workspaces/{created['id']}/delete", data={"csrf_token": token},
                          follow_redirects=True)

    assert done.request.path == "/" and "doomed was deleted" in done.get_data(as_text=True)
    assert simulator_of(dashboard_app).workspace_for_key("doomed-key") is None
    forged = dashboard.post(f"/workspaces/{created['id']}/delete", data={"csrf_token": "x"})
    assert forged.status_code == 403
