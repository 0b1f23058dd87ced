"""A lone surrogate in a body is a 400 naming its field, never a 500, on ingest and the gateway."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from simulator.web import simulator_of
from simulator.web.serving import opened_app

KEY = "surrogate-key"
# Valid JSON that json.loads turns into str with a lone surrogate in it.
INGEST_BODY = (b'{"batch": [{"type": "contact", "message_id": "m\\ud800", "timestamp": '
               b'"2026-11-29T10:00:00.000Z", "person_id": "u1", "traits": {"n": "\\udfff"}}]}')
SEGMENT_BODY = (b'{"batch": [{"type": "identify", "userId": "u\\ud800", "traits": {}, '
                b'"timestamp": "2026-11-29T10:00:00Z", "messageId": "s1"}]}')


@pytest.fixture
def app() -> Iterator[Flask]:
    """The serving app, gateway included, with one keyed workspace."""
    with opened_app({"AKITA_API_KEY": KEY}) as app:
        yield app


def test_ingest_names_the_field_and_applies_nothing(app: Flask) -> None:
    client = app.test_client()
    answer = client.post("/akita/v1/segment", data=INGEST_BODY, auth=(KEY, ""),
                         content_type="application/json")

    assert answer.status_code == 400
    paths = {error["path"] for error in answer.get_json()["errors"]}
    assert {"$.batch[0].message_id", "$.batch[0].traits.n"} <= paths
    ws = simulator_of(app).workspace_for_key(KEY)
    assert simulator_of(app).snapshot(ws)["counts"]["messages"] == 0
    [entry] = client.get(f"/_sim/workspaces/{ws}/journal").get_json()["entries"]
    assert entry["status"] == "rejected"


def test_the_gateway_takes_the_call_and_journals_why_it_failed(app: Flask) -> None:
    client = app.test_client()
    answer = client.post("/v1/batch", data=SEGMENT_BODY, auth=(KEY, ""),
                         content_type="application/json")

    assert answer.status_code == 200
    ws = simulator_of(app).workspace_for_key(KEY)
    [entry] = client.get(f"/_sim/workspaces/{ws}/journal").get_json()["entries"]
    assert entry["status"] == "failed"
    assert any("$.userId" in reason and "surrogate" in reason for reason in entry["reasons"])
