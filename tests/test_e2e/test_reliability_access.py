"""Who gets in: only the Host names the server answers to, only this server's Origin for
changes, only the admin token's holder on /_sim and the dashboard when one is set, and no
header or query string a client can send makes a 5xx.

A DNS-rebinding page is same-origin with the simulator but names its own domain in `Host`;
every request of it is refused before any handler runs, so it reads and changes nothing.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.web import simulator_of
from simulator.web.serving import opened_app

KEY = "access-key"
CONTACT = {"type": "contact", "message_id": "m1", "timestamp": "2026-11-29T10:00:00.000Z",
           "person_id": "u1", "organization_id": "acme"}
REBOUND = "attacker.example"


@pytest.fixture
def app() -> Iterator[Flask]:
    """The served app (gateway included) with one workspace holding one contact."""
    with opened_app({"AKITA_API_KEY": KEY, "AKITA_ALLOWED_HOSTS": ("Sim.Team.Example",)}) as app:
        app.test_client().post("/akita/v1/segment", json={"batch": [CONTACT]},
                               auth=(KEY, ""))
        yield app


def routes(app: Flask) -> list[tuple[str, str]]:
    """(method, path) of every route, path arguments filled with a placeholder."""
    found = []
    for rule in app.url_map.iter_rules():
        path = rule.rule
        for argument in rule.arguments:
            path = path.replace(f"<{argument}>", "x").replace(f"<path:{argument}>", "x")
        path = path.replace("<path:x>", "x")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return found


def state_of(app: Flask) -> dict[str, Any]:
    """Everything the server holds: workspaces and the keyed workspace's snapshot."""
    simulator = simulator_of(app)
    workspace = simulator.workspace_for_key(KEY)
    return {"workspaces": simulator.list_workspaces(), "state": simulator.snapshot(workspace)}


def test_a_rebinding_page_is_refused_on_every_route_and_changes_nothing(app: Flask) -> None:
    client = app.test_client()
    before = state_of(app)
    rebound = {"Host": f"{REBOUND}:8400", "Origin": f"http://{REBOUND}:8400",
               "Sec-Fetch-Site": "same-origin", "Authorization": "Basic " +
               base64.b64encode(f"{KEY}:".encode()).decode()}

    for method, path in routes(app):
        answer = client.open(path, method=method, headers=rebound, json={"batch": [CONTACT]})
        assert answer.status_code == 400, (method, path)
        # JSON from the APIs, a page from the dashboard: both name the refused Host.
        assert "does not answer to Host" in answer.get_data(as_text=True), (method, path)
    assert state_of(app) == before


@pytest.mark.parametrize("host", ["localhost", "localhost:8400", "LOCALHOST:8400",
                                  "127.0.0.1:8400", "[::1]:8400", "[0:0:0:0:0:0:0:1]",
                                  "sim.team.example:8400"])
def test_loopback_names_and_allowed_hosts_are_answered(app: Flask, host: str) -> None:
    assert app.test_client().get("/_sim/health", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["", "evil.example", "localhost.evil.example", "127.0.0.2",
                                  "[::2]", "localhost:99999", "local host", "[::1", "sim.team"])
def test_any_other_host_is_refused(app: Flask, host: str) -> None:
    answer = app.test_client().get("/_sim/workspaces", headers={"Host": host})

    assert answer.status_code == 400
    assert answer.get_json()["code"] == "host_not_allowed"


def test_the_bound_address_is_answered_unless_it_is_a_wildcard() -> None:
    with opened_app({"AKITA_SERVED_HOST": "10.1.2.3"}, segment=False) as bound:
        assert bound.test_client().get("/_sim/health",
                                       headers={"Host": "10.1.2.3:8400"}).status_code == 200
    with opened_app({"AKITA_SERVED_HOST": "0.0.0.0"}, segment=False) as wildcard:
        assert wildcard.test_client().get("/_sim/health",
                                          headers={"Host": "0.0.0.0:8400"}).status_code == 400


@pytest.mark.parametrize(("origin", "allowed"), [
    ("http://localhost:8400", True),
    ("http://127.0.0.1:8400", True),
    ("http://sim.team.example:8400", True),
    ("http://localhost:3000", False),  # another local app
    ("http://evil.example:8400", False),
    ("null", False),
    ("file://", False),
])
def test_origins_are_held_to_the_allowlist_and_the_port_asked_for(
        app: Flask, origin: str, allowed: bool) -> None:
    answer = app.test_client().post("/_sim/workspaces", json={},
                                    headers={"Host": "localhost:8400", "Origin": origin})

    assert (answer.status_code == 201) is allowed, answer.get_json()


@pytest.fixture
def locked() -> Iterator[Flask]:
    """A served app started with an admin token, with one keyed workspace."""
    with opened_app({"AKITA_API_KEY": KEY, "AKITA_ADMIN_TOKEN": "s3cret"}) as app:
        yield app


def test_with_an_admin_token_control_and_dashboard_need_it(locked: Flask) -> None:
    client = locked.test_client()
    for path in ("/_sim/workspaces", "/"):
        refused = client.get(path)
        assert refused.status_code == 401, path
        assert refused.headers["WWW-Authenticate"] == 'Basic realm="akita-sim admin"'
        assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get(path, headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert client.get(path, auth=("anyone", "s3cret")).status_code == 200
    assert client.post("/_sim/reset").status_code == 401
    assert simulator_of(locked).list_workspaces() != []


def test_with_an_admin_token_ingest_segment_health_and_the_document_stay_as_they_were(
        locked: Flask) -> None:
    client = locked.test_client()

    assert client.post("/akita/v1/segment", json={"batch": [CONTACT]},
                       auth=(KEY, "")).status_code == 200
    assert client.post("/v1/identify", json={"userId": "u2", "messageId": "s1"},
                       auth=(KEY, "")).status_code == 200
    assert client.get("/_sim/health").status_code == 200
    assert client.get("/openapi.json").status_code == 200


HEADER_VALUES = st.binary(max_size=40).map(lambda raw: raw.decode("latin-1"))
HEADERS = ("HTTP_AUTHORIZATION", "CONTENT_TYPE", "HTTP_ORIGIN", "HTTP_SEC_FETCH_SITE",
           "HTTP_CONTENT_ENCODING", "HTTP_COOKIE", "HTTP_ACCEPT", "HTTP_X_RETRY_COUNT")


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), headers=st.dictionaries(st.sampled_from(HEADERS), HEADER_VALUES),
       query=st.binary(max_size=60))
def test_no_header_bytes_or_query_string_make_a_5xx(
        app: Flask, data: st.DataObject, headers: dict[str, str], query: bytes) -> None:
    method, path = data.draw(st.sampled_from(routes(app)), label="route")
    client: FlaskClient = app.test_client()

    answer = client.open(path, method=method, data=b"{}", environ_overrides={
        **headers, "QUERY_STRING": query.decode("latin-1")})

    assert answer.status_code < 500, (method, path, answer.get_data()[:300])


@pytest.mark.parametrize("authorization", ["Basic \xff\xfe", "Basic w7/Dvw==", "Bearer \xe9",
                                           "Basic =", "Basic \x00"])
@pytest.mark.parametrize("path", ["/akita/v1/segment", "/v1/batch"])
def test_odd_authorization_bytes_are_a_401_or_400_not_a_500(
        app: Flask, authorization: str, path: str) -> None:
    answer = app.test_client().post(path, json={"batch": [CONTACT]},
                                    environ_overrides={"HTTP_AUTHORIZATION": authorization})

    assert answer.status_code in (400, 401)


@pytest.mark.parametrize("limit", ["٣", "1_0", " 5 ", "+5", "5.0", "0x10", "1" * 30])
def test_integers_in_query_arguments_are_ascii_digits_only(app: Flask, limit: str) -> None:
    workspace = simulator_of(app).workspace_for_key(KEY)
    answer = app.test_client().get(f"/_sim/workspaces/{workspace}/journal",
                                   query_string={"limit": limit})

    assert answer.status_code == 400
    assert "ASCII digits" in answer.get_json()["message"]


@pytest.mark.parametrize("key", ["a:b", "has space", "line\r\nbreak", "nul\x00", "tab\t",
                                 "ключ", "", "x" * 257])
def test_the_control_api_refuses_keys_ingest_could_not_read(app: Flask, key: str) -> None:
    before = simulator_of(app).list_workspaces()
    answer = app.test_client().post("/_sim/workspaces", json={"api_key": key})

    assert answer.status_code == 400
    assert "printable ASCII characters without ':' or whitespace" in answer.get_json()["message"]
    assert simulator_of(app).list_workspaces() == before


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=":"),
                   min_size=1, max_size=60))
def test_every_key_the_control_api_accepts_authenticates_both_ways(app: Flask, key: str) -> None:
    client = app.test_client()
    created = client.post("/_sim/workspaces", json={"api_key": key})
    if created.status_code == 409:  # drawn twice: already made by an earlier example
        return
    assert created.status_code == 201

    for auth in ({"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()},
                 {"Authorization": f"Bearer {key}"}):
        answer = client.post("/akita/v1/segment", json={"batch": []}, headers=auth)
        assert answer.status_code == 200, (key, answer.get_json())
