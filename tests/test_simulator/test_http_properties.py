"""Properties of ingest over HTTP, with the contract's own generators of Akita messages.

Whatever valid batch arrives, the workspace ends up exactly as the engine alone would have it,
and re-sending changes nothing; whatever single field is broken, the answer names that item and
that path, and nothing at all is applied.
"""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract.generators.strategies import akita_messages, invalid_akita_messages
from simulator.engine import Workspace

batches = st.lists(akita_messages(), max_size=8, unique_by=lambda m: m["message_id"])
_LOCAL_STATE = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def fresh(client: FlaskClient) -> tuple[str, dict[str, str]]:
    """A new workspace: its id and the headers that deliver to it."""
    created = client.post("/_sim/workspaces", json={}).get_json()
    return created["id"], {"Authorization": f"Bearer {created['api_key']}"}


def deliver(client: FlaskClient, headers: dict[str, str], batch: list[dict[str, Any]]) -> Any:
    """POST one batch to ingest."""
    return client.post("/akita/v1/segment", json={"batch": batch}, headers=headers)


@_LOCAL_STATE
@given(batch=batches)
def test_a_valid_batch_gives_the_engines_state_and_resending_changes_nothing(
    akita_client: FlaskClient, batch: list[dict[str, Any]]
) -> None:
    workspace, headers = fresh(akita_client)
    alone = Workspace()
    alone.apply(batch)
    expected = json.loads(json.dumps(alone.snapshot()))

    first = deliver(akita_client, headers, batch)
    second = deliver(akita_client, headers, batch)

    assert first.get_json() == {"accepted": len(batch), "duplicates": 0}
    assert second.get_json() == {"accepted": 0, "duplicates": len(batch)}
    assert akita_client.get(f"/_sim/workspaces/{workspace}/state").get_json() == expected


@_LOCAL_STATE
@given(valid=batches, broken=invalid_akita_messages(), data=st.data())
def test_one_broken_field_is_named_by_index_and_path_and_nothing_is_applied(
    akita_client: FlaskClient,
    valid: list[dict[str, Any]],
    broken: tuple[dict[str, Any], str],
    data: st.DataObject,
) -> None:
    message, path = broken
    index = data.draw(st.integers(0, len(valid)), label="index")
    batch = [*valid[:index], message, *valid[index:]]
    workspace, headers = fresh(akita_client)

    response = deliver(akita_client, headers, batch)

    body = response.get_json()
    expected = 501 if path == "$.type" and isinstance(message.get("type"), str) else 400
    assert response.status_code == expected, body
    located = [(e.get("index"), e["path"]) for e in body["errors"]]
    assert (index, f"$.batch[{index}]{path[1:]}") in located
    assert {i for i, _ in located} == {index}
    state = akita_client.get(f"/_sim/workspaces/{workspace}/state").get_json()
    assert state["counts"]["messages"] == 0
    journal = akita_client.get(f"/_sim/workspaces/{workspace}/journal?limit=100").get_json()
    assert [e["status"] for e in journal["entries"]] == ["rejected"] * len(batch)
