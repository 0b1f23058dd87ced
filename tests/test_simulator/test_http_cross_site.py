"""The control API refuses state changes another site's page sends; reads stay open."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

FOREIGN = [{"Origin": "https://elsewhere.example"}, {"Sec-Fetch-Site": "cross-site"}]


@pytest.mark.parametrize("headers", FOREIGN)
def test_a_reset_from_another_site_is_refused_and_changes_nothing(
        akita_client: FlaskClient, headers: dict[str, str]) -> None:
    created = akita_client.post("/_sim/workspaces", json={"name": "kept"}).get_json()
    akita_client.post("/akita/v1/segment", auth=(created["api_key"], ""), json={"batch": [
        {"type": "contact", "message_id": "m1", "timestamp": "2026-11-29T10:00:00.000Z",
         "person_id": "u1"}]})

    for path in ("/_sim/reset", f"/_sim/workspaces/{created['id']}/reset"):
        answer = akita_client.post(path, headers={**headers, "Content-Type": "text/plain"})
        assert answer.status_code == 403
        assert answer.get_json()["code"] == "cross_site_request"
    state = akita_client.get(f"/_sim/workspaces/{created['id']}/state").get_json()
    assert state["counts"]["messages"] == 1


def test_the_same_requests_from_this_origin_and_reads_from_anywhere_pass(
        akita_client: FlaskClient) -> None:
    created = akita_client.post("/_sim/workspaces", json={}).get_json()

    assert akita_client.get("/_sim/workspaces", headers=FOREIGN[0]).status_code == 200
    same_site = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
    assert akita_client.post(f"/_sim/workspaces/{created['id']}/reset",
                             headers=same_site).status_code == 200


@pytest.mark.parametrize("field", ["name", "api_key"])
def test_a_workspace_name_or_key_with_a_lone_surrogate_is_a_400(
        akita_client: FlaskClient, field: str) -> None:
    answer = akita_client.post("/_sim/workspaces", data=f'{{"{field}": "a\\ud800"}}',
                               content_type="application/json")

    assert answer.status_code == 400 and field in answer.get_json()["message"]
