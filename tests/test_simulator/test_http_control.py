"""Control API under /_sim: health, workspaces, state and lookups, journal, reset, isolation."""

from __future__ import annotations

from typing import Any

import pytest
from engine_messages import account, contact, event, page
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import __version__
from simulator.engine import Workspace

JOURNEY = [
    contact("m1", 0, "team/ann", traits={"email": "ann@example.com"}, organization_id="org/1",
            anonymous_id="anon-1"),
    account("m2", 1, "org/1", person_id="team/ann", traits={"plan": "pro"}),
    event("m3", 2, person_id="team/ann"),
    page("m4", 3, anonymous_id="anon-2"),
    contact("m5", 4, "bob"),
]


def new_workspace(client: FlaskClient, **fields: Any) -> dict[str, Any]:
    """Create a workspace through the control API."""
    response = client.post("/_sim/workspaces", json=fields)
    assert response.status_code == 201
    return response.get_json()


def send(client: FlaskClient, key: str, batch: list[dict[str, Any]]) -> Any:
    """Deliver `batch` with Bearer `key`."""
    return client.post("/akita/v1/segment", json={"batch": batch},
                       headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def filled(akita_client: FlaskClient) -> str:
    """A workspace holding JOURNEY; returns its id."""
    created = new_workspace(akita_client, name="filled")
    assert send(akita_client, created["api_key"], JOURNEY).status_code == 200
    return created["id"]


def test_health_reports_the_version(akita_client: FlaskClient) -> None:
    assert akita_client.get("/_sim/health").get_json() == {"status": "ok", "version": __version__}


def test_workspaces_are_created_listed_and_never_show_keys(akita_client: FlaskClient) -> None:
    generated = new_workspace(akita_client, name="one")
    chosen = new_workspace(akita_client, api_key="my-own-key")

    listed = akita_client.get("/_sim/workspaces").get_json()["workspaces"]
    assert [w["id"] for w in listed] == [generated["id"], chosen["id"]]
    assert chosen["api_key"] == "my-own-key" and generated["api_key"].startswith("ak_")
    assert all(set(w) == {"id", "name", "created_at"} for w in listed)
    assert send(akita_client, "my-own-key", JOURNEY[:1]).status_code == 200
    one = akita_client.get(f"/_sim/workspaces/{chosen['id']}").get_json()
    assert one["message_count"] == 1


@pytest.mark.parametrize("body, status, code", [
    ({"api_key": "taken"}, 409, "key_in_use"),
    ({"api_key": ""}, 400, "invalid_parameter"),
    ({"name": 5}, 400, "invalid_parameter"),
    ({"colour": "red"}, 400, "invalid_parameter"),
    (["not", "an", "object"], 400, "invalid_parameter"),
])
def test_bad_workspace_requests_are_refused(
    akita_client: FlaskClient, body: Any, status: int, code: str
) -> None:
    new_workspace(akita_client, api_key="taken")

    response = akita_client.post("/_sim/workspaces", json=body)

    assert response.status_code == status
    assert response.get_json()["code"] == code and response.get_json()["message"]


def test_state_and_lookups_show_the_journey(akita_client: FlaskClient, filled: str) -> None:
    base = f"/_sim/workspaces/{filled}"

    def get(path: str) -> Any:
        response = akita_client.get(base + path)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    state = get("/state")
    assert state["counts"]["messages"] == 5
    assert get("/accounts")["accounts"] == state["accounts"]
    assert get("/accounts/org/1")["traits"] == {"plan": "pro"}
    assert get("/contacts")["contacts"] == state["contacts"]
    assert get("/contacts/team/ann")["organization_id"] == "org/1"
    assert [p["person_id"] for p in get("/pending")["pending"]] == ["bob"]
    assert [v["anonymous_id"] for v in get("/visitors")["visitors"]] == ["anon-2"]
    assert len(get("/sessions")["sessions"]) == 2
    assert [s["person"] for s in get("/sessions?person=team/ann")["sessions"]] == ["team/ann"]


@pytest.mark.parametrize("path", ["", "/state", "/contacts/ghost", "/accounts/ghost", "/journal"])
def test_unknown_things_are_404_with_a_message(
    akita_client: FlaskClient, filled: str, path: str
) -> None:
    workspace = "ws_unknown" if path in ("", "/state", "/journal") else filled
    response = akita_client.get(f"/_sim/workspaces/{workspace}{path}")

    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found" and response.get_json()["message"]


def test_the_journal_filters_and_pages(akita_client: FlaskClient, filled: str) -> None:
    base = f"/_sim/workspaces/{filled}/journal"

    first = akita_client.get(f"{base}?limit=2").get_json()
    second = akita_client.get(f"{base}?limit=2&before={first['next_before']}").get_json()
    last = akita_client.get(f"{base}?limit=2&before={second['next_before']}").get_json()

    ids = [e["message_id"] for page_ in (first, second, last) for e in page_["entries"]]
    assert ids == ["m5", "m4", "m3", "m2", "m1"] and last["next_before"] is None
    events = akita_client.get(f"{base}?type=event&status=accepted").get_json()["entries"]
    assert [e["message_id"] for e in events] == ["m3"]
    assert [e["message_id"] for e in akita_client.get(f"{base}?person=bob").get_json()[
        "entries"]] == ["m5"]


@pytest.mark.parametrize("query", ["limit=x", "limit=0", "before=soon", "before=", "before=-1",
                                   "before=9223372036854775808", "status=lost"])
def test_bad_journal_queries_are_400(akita_client: FlaskClient, filled: str, query: str) -> None:
    response = akita_client.get(f"/_sim/workspaces/{filled}/journal?{query}")

    assert response.status_code == 400 and response.get_json()["code"] == "invalid_parameter"


def test_reset_one_workspace_or_all(akita_client: FlaskClient, filled: str) -> None:
    other = new_workspace(akita_client)
    send(akita_client, other["api_key"], JOURNEY)

    one = akita_client.post(f"/_sim/workspaces/{filled}/reset").get_json()
    assert one == {"reset": [filled]}
    counts = akita_client.get(f"/_sim/workspaces/{other['id']}/state").get_json()["counts"]
    assert counts["messages"] == 5

    everything = akita_client.post("/_sim/reset").get_json()
    assert set(everything["reset"]) == {filled, other["id"]}
    counts = akita_client.get(f"/_sim/workspaces/{other['id']}/state").get_json()["counts"]
    assert counts["messages"] == 0
    assert send(akita_client, other["api_key"], JOURNEY).get_json()["accepted"] == 5


messages = st.lists(
    st.builds(lambda n, kind, who: (kind(f"m{n}", n, person_id=f"u{who}")
                                    if kind is event else kind(f"m{n}", n, f"u{who}")),
              st.integers(0, 20), st.sampled_from([contact, event]), st.integers(0, 3)),
    max_size=6,
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=messages, second=messages)
def test_each_workspace_sees_only_its_own_messages(
    akita_client: FlaskClient, first: list[dict[str, Any]], second: list[dict[str, Any]]
) -> None:
    spaces = [new_workspace(akita_client), new_workspace(akita_client)]
    for space, batch in zip(spaces, (first, second), strict=True):
        assert send(akita_client, space["api_key"], batch).status_code == 200

    for space, batch in zip(spaces, (first, second), strict=True):
        alone = Workspace()
        alone.apply(batch)
        state = akita_client.get(f"/_sim/workspaces/{space['id']}/state").get_json()
        assert state == alone.snapshot()


def test_deleting_a_workspace_removes_its_data_and_its_key(akita_client: FlaskClient) -> None:
    kept = akita_client.post("/_sim/workspaces", json={"name": "kept"}).get_json()
    gone = akita_client.post("/_sim/workspaces", json={"name": "gone"}).get_json()
    message = {"type": "contact", "message_id": "m1", "timestamp": "2026-11-29T10:00:00.000Z",
               "person_id": "u1"}
    for created in (kept, gone):
        akita_client.post("/akita/v1/segment", json={"batch": [message]},
                          auth=(created["api_key"], ""))

    answer = akita_client.delete(f"/_sim/workspaces/{gone['id']}")

    assert (answer.status_code, answer.get_json()) == (200, {"deleted": gone["id"]})
    listed = akita_client.get("/_sim/workspaces").get_json()["workspaces"]
    assert [ws["id"] for ws in listed] == [kept["id"]]
    assert akita_client.get(f"/_sim/workspaces/{gone['id']}/state").status_code == 404
    refused = akita_client.post("/akita/v1/segment", json={"batch": [message]},
                                auth=(gone["api_key"], ""))
    assert refused.status_code == 401
    assert akita_client.get(f"/_sim/workspaces/{kept['id']}/state").get_json()[
        "counts"]["messages"] == 1
    assert akita_client.delete(f"/_sim/workspaces/{gone['id']}").status_code == 404
    again = akita_client.post("/_sim/workspaces", json={"api_key": gone["api_key"]})
    assert again.status_code == 201  # the key is free again
