"""The playground: checking a call, sending it with the workspace's key, and what it changed."""

from __future__ import annotations

import html as entities
import json
import re
from collections.abc import Iterator

import pytest
from dashboard_support import csrf_token, service, workspace
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, assume, given, settings

from contract.generators.strategies import invalid_segment_calls, segment_calls
from simulator.web.dashboard.examples import EXAMPLES, example
from simulator.web.serving import opened_app


def outcome(html: str) -> str:
    """The outcome badge of a playground page."""
    return re.search(r'id="outcome-status">(\w+)<', html)[1]


def play(client: FlaskClient, ws: str, call: object, *, key: str = "", action: str = "check"
         ) -> str:
    """POST the playground form as a browser would; returns the page."""
    text = call if isinstance(call, str) else json.dumps(call)
    token = csrf_token(client, f"/workspaces/{ws}/playground")
    response = client.post(f"/workspaces/{ws}/playground", data={
        "csrf_token": token, "call": text, "write_key": key, "action": action})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def changes(html: str) -> dict[str, str]:
    """'kind id' -> verdict, from the What changed section."""
    found = re.findall(r'<section class="change (\w+)"[^>]*>\s*<h4>(\w+)\s*(?:<a[^>]*>)?([^<:]+?)'
                       r'\s*(?:</a>)?\s*:', html)
    return {f"{kind} {entities.unescape(name).strip()}": verdict
            for verdict, kind, name in found}


def rows(html: str, field: str) -> list[tuple[str, str]]:
    """(before, after) text of every diff row named `field`."""
    pattern = (rf'<th scope="row" dir="auto">{re.escape(field)}</th>\s*'
               r"<td>(.*?)</td>\s*<td>(.*?)</td>")
    return [(_plain(before), _plain(after)) for before, after in re.findall(pattern, html, re.S)]


def _plain(cell: str) -> str:
    return entities.unescape(re.sub(r"<[^>]+>", "", cell)).strip()


@pytest.mark.parametrize(("name", "status"), [
    ("identify", "mapped"), ("group", "mapped"), ("track", "mapped"), ("page", "mapped"),
    ("screen", "skipped"), ("invalid", "invalid")])
def test_each_example_checks_as_it_says(
        dashboard_app: Flask, dashboard: FlaskClient, name: str, status: str) -> None:
    ws = workspace(dashboard_app).workspace_id
    html = dashboard.get(f"/workspaces/{ws}/playground?example={name}").get_data(as_text=True)
    assert outcome(html) == status
    box = re.search(r'<textarea id="call"[^>]*>(.*?)</textarea>', html, re.S)[1]
    assert entities.unescape(box) == example(name).text


def test_a_mapped_call_shows_its_akita_message(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    ws = workspace(dashboard_app).workspace_id
    html = play(dashboard, ws, example("identify").text)
    message = json.loads(entities.unescape(
        re.search(r"Akita receives this contact message:</p>\s*<code[^>]*>(.*?)</code>",
                  html, re.S)[1]))
    assert message["person_id"] == "user-42" and message["organization_id"] == "acme"
    assert message["message_id"].startswith("api-")  # assigned, as the HTTP API does


def test_an_invalid_call_lists_every_failing_path(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    ws = workspace(dashboard_app).workspace_id
    html = play(dashboard, ws, example("invalid").text)
    paths = re.findall(r'<td><code class="path">([^<]+)</code></td>', html)
    assert set(paths) >= {"$.event", "$.properties", "$.timestamp", "$.userId"}


# Checking changes nothing, so one app serves every example.
_SHARED_APP = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@_SHARED_APP
@given(broken=invalid_segment_calls())
def test_any_broken_call_is_named_by_its_path(
        dashboard_app: Flask, dashboard: FlaskClient, broken: tuple[dict, str]) -> None:
    call, path = broken
    # Segment sets receivedAt itself, and a messageId and timestamp where the call has none,
    # so the playground, like the gateway, replaces a broken receivedAt and those when null.
    assume(path != "$.receivedAt")
    assume(not (path in ("$.messageId", "$.timestamp") and call.get(path[2:]) is None))
    ws = service(dashboard_app).ensure_workspace("checks")
    html = play(dashboard, ws, call)
    assert outcome(html) == "invalid"
    listed = re.findall(r'<td><code class="path">([^<]+)</code></td>', html)
    assert path in [entities.unescape(found) for found in listed]


@_SHARED_APP
@given(call=segment_calls())
def test_any_valid_call_is_mapped_skipped_or_filtered(
        dashboard_app: Flask, dashboard: FlaskClient, call: dict) -> None:
    ws = service(dashboard_app).ensure_workspace("checks")
    html = play(dashboard, ws, call)
    assert outcome(html) in ("mapped", "skipped", "filtered")
    box = re.search(r'<textarea id="call"[^>]*>(.*?)</textarea>', html, re.S)[1]
    assert json.loads(entities.unescape(box)) == call


def test_a_skipped_call_says_why(dashboard_app: Flask, dashboard: FlaskClient) -> None:
    ws = workspace(dashboard_app).workspace_id
    assert "does not support screen calls" in play(dashboard, ws, example("screen").text)


def test_text_that_is_not_json_says_where_it_breaks(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    ws = workspace(dashboard_app).workspace_id
    html = play(dashboard, ws, '{"type": "track",')
    assert outcome(html) == "unreadable" and "not JSON" in html and "line 1" in html


def test_a_call_in_the_query_string_is_checked(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    ws = workspace(dashboard_app).workspace_id
    call = {"type": "group", "userId": "u", "groupId": "g", "timestamp": "2026-03-01T09:00:00Z"}
    response = dashboard.get(f"/workspaces/{ws}/playground", query_string={
        "call": json.dumps(call)})
    assert outcome(response.get_data(as_text=True)) == "mapped"


def test_sending_the_examples_in_turn_shows_what_each_changed(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    story = workspace(dashboard_app)
    ws, key = story.workspace_id, story.api_key
    first = play(dashboard, ws, example("identify").text, key=key, action="send")
    assert re.search(r'id="delivery-status">delivered<', first)
    assert changes(first) == {"contact user-42": "created", "account acme": "created"}
    assert rows(first, "account") == [("—", "acme")]
    assert rows(first, "traits.name") == [("—", "Ada Lovelace")]

    group = play(dashboard, ws, example("group").text, key=key, action="send")
    assert changes(group) == {"contact user-42": "unchanged", "account acme": "changed"}
    # The contact's name row is unchanged; the account's is new.
    assert rows(group, "traits.name") == [("Ada Lovelace", "Ada Lovelace"), ("—", "Acme Corp")]

    track = play(dashboard, ws, example("track").text, key=key, action="send")
    assert changes(track) == {"contact user-42": "changed"}
    assert rows(track, "events") == [("0", "1")]

    # An anonymous page from a device already tied to user-42 lands on user-42.
    page = play(dashboard, ws, example("page").text, key=key, action="send")
    assert changes(page) == {"contact user-42": "changed"}
    assert rows(page, "pages") == [("0", "1")]

    # The examples carry no messageId, so each send is a new event; one that names its own id
    # is a repeat the second time, dropped at Segment's edge.
    named = json.dumps({**json.loads(example("track").text), "messageId": "track-once"})
    once = play(dashboard, ws, named, key=key, action="send")
    assert rows(once, "events") == [("1", "2")]
    again = play(dashboard, ws, named, key=key, action="send")
    assert re.search(r'id="delivery-status">duplicate<', again)
    assert changes(again) == {"contact user-42": "unchanged"}

    skipped = play(dashboard, ws, example("screen").text, key=key, action="send")
    assert "Nothing in the workspace can have changed" in skipped
    assert service(dashboard_app).counts(ws)["messages"] == 5


def test_sending_requires_this_workspaces_key(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    mine, other = workspace(dashboard_app, "mine"), workspace(dashboard_app, "other")
    text = example("identify").text
    for key, says in (("", "belongs to no workspace"), ("unknown", "belongs to no workspace"),
                      (other.api_key, "belongs to another workspace")):
        html = play(dashboard, mine.workspace_id, text, key=key, action="send")
        assert says in html
    assert len(service(dashboard_app).list_workspaces()) == 2  # no workspace made for a key
    for ws in (mine, other):
        assert service(dashboard_app).counts(ws.workspace_id)["messages"] == 0


@pytest.fixture
def keyed_app() -> Iterator[Flask]:
    """An app started with an API key, as `akita-sim serve --api-key` does."""
    with opened_app({"AKITA_DB": None, "TESTING": True, "AKITA_API_KEY": "dev-key"}) as app:
        yield app


def test_the_servers_own_key_is_filled_in_for_its_workspace(keyed_app: Flask) -> None:
    client = keyed_app.test_client()
    ws = service(keyed_app).workspace_for_key("dev-key")
    other = workspace(keyed_app).workspace_id
    assert 'value="dev-key"' in client.get(f"/workspaces/{ws}/playground").get_data(as_text=True)
    assert "dev-key" not in client.get(f"/workspaces/{other}/playground").get_data(as_text=True)


def test_without_the_local_segment_calls_are_checked_but_not_mapped_or_sent(
        akita_app: Flask) -> None:
    client = akita_app.test_client()
    ws = workspace(akita_app).workspace_id
    valid = client.get(f"/workspaces/{ws}/playground?example=identify").get_data(as_text=True)
    assert "--no-segment" in valid and outcome(valid) == "valid"
    assert 'value="send"' not in valid
    invalid = play(client, ws, example("invalid").text)
    assert outcome(invalid) == "invalid" and "$.timestamp" in invalid
    refused = play(client, ws, example("identify").text, key="k", action="send")
    assert "can be checked against the contract but not mapped or sent" in refused
    assert service(akita_app).counts(ws)["messages"] == 0


def test_every_example_is_offered(dashboard_app: Flask, dashboard: FlaskClient) -> None:
    ws = workspace(dashboard_app).workspace_id
    html = dashboard.get(f"/workspaces/{ws}/playground").get_data(as_text=True)
    for each in EXAMPLES:
        assert f"example={each.name}" in html
