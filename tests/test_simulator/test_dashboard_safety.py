"""Hostile values render as text; forms refuse cross-site requests; headers lock pages down."""

from __future__ import annotations

import html as entities
import re

import pytest
from dashboard_support import IMG, LONG, RTL, SCRIPT, csrf_token, populate, service, workspace
from flask import Flask, session
from flask.sessions import NullSession
from flask.testing import FlaskClient

from simulator.web.dashboard.security import CONTENT_SECURITY_POLICY


def test_script_and_markup_in_traits_and_event_names_render_as_text(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    ws = populate(dashboard_app).workspace_id
    for path in ("/contacts/mallory", "/journal", "/contacts", "/messages/c3"):
        html = dashboard.get(f"/workspaces/{ws}{path}").get_data(as_text=True)
        assert "<script>" not in html and "<img" not in html and "<b>end" not in html
    contact = dashboard.get(f"/workspaces/{ws}/contacts/mallory").get_data(as_text=True)
    assert entities.escape(SCRIPT, quote=False) in contact
    assert "&lt;img src=x onerror=" in contact


def test_a_10_kb_value_is_folded_with_a_way_to_see_all_of_it(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    ws = populate(dashboard_app).workspace_id
    html = dashboard.get(f"/workspaces/{ws}/contacts/mallory").get_data(as_text=True)
    folded = re.search(r'<details class="long"><summary><span class="preview" dir="auto">(A+)…'
                       r'</span> <span class="more">show all 10,000 characters</span></summary>'
                       r'<div class="full" dir="auto">([^<]*)</div>', html)
    assert folded is not None
    assert len(folded[1]) == 120
    assert entities.unescape(folded[2]) == LONG


def test_right_to_left_text_keeps_its_direction(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    ws = populate(dashboard_app).workspace_id
    html = dashboard.get(f"/workspaces/{ws}/contacts/mallory").get_data(as_text=True)
    assert f'<span class="text" dir="auto">{RTL}</span>' in html


def test_a_hostile_workspace_name_is_text_everywhere(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    ws = workspace(dashboard_app, IMG).workspace_id
    for path in ("/", f"/workspaces/{ws}", f"/workspaces/{ws}/playground"):
        html = dashboard.get(path).get_data(as_text=True)
        assert "<img" not in html and "&lt;img" in html


@pytest.mark.parametrize("path", ["/", "/workspaces/{ws}/contacts/ann",
                                  "/workspaces/{ws}/contacts/nobody", "/workspaces/{ws}/journal"])
def test_dashboard_answers_carry_a_strict_content_security_policy(
        dashboard_app: Flask, dashboard: FlaskClient, path: str) -> None:
    ws = populate(dashboard_app).workspace_id
    response = dashboard.get(path.format(ws=ws))
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # default-src 'none' with no script-src: no script runs, inline or not.
    assert "script-src" not in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY


def test_the_session_cookie_is_http_only_and_same_site(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    response = dashboard.get("/")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("path", ["/akita/v1/segment", "/_sim/health", "/openapi.json"])
def test_api_paths_never_open_the_dashboards_session(dashboard_app: Flask, path: str) -> None:
    with dashboard_app.test_request_context(path, headers={"Cookie": "session=anything"}):
        assert isinstance(session._get_current_object(), NullSession)
    with dashboard_app.test_request_context("/"):
        assert not isinstance(session._get_current_object(), NullSession)


def test_reset_with_this_sessions_token_resets(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    ws = populate(dashboard_app).workspace_id
    token = csrf_token(dashboard, f"/workspaces/{ws}")
    response = dashboard.post(f"/workspaces/{ws}/reset", data={"csrf_token": token},
                              headers={"Origin": "http://localhost"}, follow_redirects=True)
    assert response.status_code == 200
    assert "The workspace was reset" in response.get_data(as_text=True)
    assert service(dashboard_app).counts(ws)["messages"] == 0


@pytest.mark.parametrize("case", ["no token", "wrong token", "non-ASCII token",
                                  "other session's token", "foreign Origin", "null Origin",
                                  "cross-site fetch"])
def test_cross_site_posts_are_refused_and_change_nothing(
        dashboard_app: Flask, dashboard: FlaskClient, case: str) -> None:
    ws = populate(dashboard_app).workspace_id
    token = csrf_token(dashboard, f"/workspaces/{ws}")
    data, headers = {"csrf_token": token}, {}
    if case == "no token":
        data = {}
    elif case == "wrong token":
        data = {"csrf_token": token[:-2] + "xx"}
    elif case == "non-ASCII token":
        data = {"csrf_token": "ü" * len(token)}
    elif case == "other session's token":
        data = {"csrf_token": csrf_token(dashboard_app.test_client(), f"/workspaces/{ws}")}
    elif case == "foreign Origin":
        headers = {"Origin": "https://evil.example"}
    elif case == "null Origin":
        headers = {"Origin": "null"}
    else:
        headers = {"Sec-Fetch-Site": "cross-site"}
    response = dashboard.post(f"/workspaces/{ws}/reset", data=data, headers=headers)
    assert response.status_code == 403
    assert "403: cross site request" in response.get_data(as_text=True)
    assert service(dashboard_app).counts(ws)["messages"] > 0


@pytest.mark.parametrize("path", ["/workspaces", "/workspaces/{ws}/playground"])
def test_every_form_is_protected(dashboard_app: Flask, dashboard: FlaskClient, path: str) -> None:
    ws = workspace(dashboard_app).workspace_id
    before = len(service(dashboard_app).list_workspaces())
    response = dashboard.post(path.format(ws=ws), data={"name": "x", "call": "{}"})
    assert response.status_code == 403
    assert len(service(dashboard_app).list_workspaces()) == before


def test_creating_a_workspace_shows_its_key_once(
        dashboard_app: Flask, dashboard: FlaskClient) -> None:
    token = csrf_token(dashboard)
    html = dashboard.post("/workspaces", data={"csrf_token": token, "name": "mine"}
                          ).get_data(as_text=True)
    key = re.search(r'<code class="key">([^<]+)</code>', html)[1]
    created = service(dashboard_app).workspace_for_key(key)
    assert created is not None
    assert key not in dashboard.get(f"/workspaces/{created}").get_data(as_text=True)
