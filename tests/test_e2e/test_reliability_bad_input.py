"""Bad input never gets in: whatever arrives, the answer is a 4xx with a reason, never a 500,
and the workspace is exactly as it was (snapshot and message count compared before and after).

The requests go over a real socket to waitress, byte for byte, so what the HTTP server itself
refuses (broken chunking, a negative Content-Length) is covered beside what the app refuses. The
wrong-type property runs in process: it is about the contract's validation, and fast there.
(`tests/test_simulator/test_http_ingest.py` checks each reason's wording; a body far over the
limit, refused from its headers alone, is in `test_reliability_security.py`.)
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from contract_support import new_workspace
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from reliability_support import TIMEOUT, raw_exchange

from contract.generators.strategies import akita_messages
from contract.limits import MAX_BATCH_BYTES
from simulator.pytest_plugin import AkitaWorkspace
from simulator.web import simulator_of
from simulator.web.app import create_app
from simulator.web.live_server import LiveServer

GOOD = [{"type": "contact", "message_id": "good-1", "timestamp": "2026-03-01T09:00:00.000Z",
         "person_id": "ada", "organization_id": "acme"}]
VALID_BODY = json.dumps({"batch": GOOD}).encode()
CHUNKED = "Transfer-Encoding: chunked\r\n"


def basic(user: str) -> str:
    """An Authorization value: Basic with `user` ("key:" for a key and an empty password)."""
    return "Basic " + base64.b64encode(user.encode()).decode()


AUTH = {  # how each case authenticates, given the workspace's key
    "own": lambda key: basic(f"{key}:"),
    "none": lambda key: None,
    "wrong": lambda key: basic("not-a-key:"),
    "password": lambda key: basic(f"{key}:a-password"),
    "empty bearer": lambda key: "Bearer ",
    "not base64": lambda key: "Basic %%%",
}


def request_bytes(authorization: str | None, body: bytes, *,
                  content_type: str | None = "application/json", headers: str = "",
                  length: int | None = None, method: str = "POST") -> bytes:
    """One HTTP/1.1 request to ingest as it goes on the wire; `length` overrides
    Content-Length, which is left out when `headers` choose chunking."""
    lines = [f"{method} /akita/v1/segment HTTP/1.1", "Host: akita.test", "Connection: close"]
    if authorization is not None:
        lines.append(f"Authorization: {authorization}")
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    if "Transfer-Encoding" not in headers:
        lines.append(f"Content-Length: {len(body) if length is None else length}")
    return ("\r\n".join(lines) + "\r\n" + headers + "\r\n").encode() + body


def answer_of(raw: bytes) -> tuple[int, str, str]:
    """Status, Content-Type and body of a raw HTTP answer."""
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), headers.get("Content-Type", ""), body.decode("latin-1")


# (name, an AUTH entry, body, keyword arguments of request_bytes)
_BAD: list[tuple[str, str, bytes, dict[str, Any]]] = [
    ("malformed JSON", "own", b'{"batch": [', {}),
    ("not an object", "own", b"[1, 2]", {}),
    ("batch not a list", "own", b'{"batch": "all of them"}', {}),
    ("an empty body", "own", b"", {}),
    ("invalid UTF-8", "own", b'{"batch": [{"type": "contact\xff"}]}', {}),
    ("UTF-16", "own", json.dumps({"batch": GOOD}).encode("utf-16"), {}),
    ("NaN", "own", b'{"batch": [], "x": NaN}', {}),
    ("deep nesting", "own", b'{"batch": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", {}),
    ("text/plain", "own", VALID_BODY, {"content_type": "text/plain"}),
    ("a form", "own", b"batch=1", {"content_type": "application/x-www-form-urlencoded"}),
    ("no Content-Type", "own", VALID_BODY, {"content_type": None}),
    ("gzip claimed", "own", VALID_BODY, {"headers": "Content-Encoding: gzip\r\n"}),
    ("over the batch limit", "own", b" " * (MAX_BATCH_BYTES + 1), {}),
    ("broken chunking", "own", b"zz\r\nnot hex\r\n0\r\n\r\n",
     {"headers": CHUNKED}),
    ("negative Content-Length", "own", b"", {"length": -5}),
    ("no auth", "none", VALID_BODY, {}),
    ("a wrong key", "wrong", VALID_BODY, {}),
    ("a password", "password", VALID_BODY, {}),
    ("Bearer without a token", "empty bearer", VALID_BODY, {}),
    ("not base64", "not base64", VALID_BODY, {}),
    ("GET", "own", b"", {"method": "GET"}),
]


@pytest.mark.parametrize("key, body, options", [pytest.param(*case[1:], id=case[0])
                                                 for case in _BAD])
def test_bad_input_is_a_4xx_with_a_reason_and_changes_nothing(
        akita_server: LiveServer, akita_workspace: AkitaWorkspace, key: str, body: bytes,
        options: dict[str, Any]) -> None:
    assert requests.post(akita_workspace.url, json={"batch": GOOD},
                         auth=(akita_workspace.api_key, ""), timeout=TIMEOUT).status_code == 200
    before = akita_workspace.state()
    authorization = AUTH[key](akita_workspace.api_key)

    status, content_type, text = answer_of(raw_exchange(
        akita_server, request_bytes(authorization, body, **options)))

    assert 400 <= status < 500, (status, text[:300])
    if content_type.startswith("application/json"):
        assert json.loads(text)["message"]
    else:  # waitress itself refused the request: its text says why
        assert text.strip().splitlines()[-1], text
    assert akita_workspace.state() == before


def test_another_workspaces_key_writes_there_and_only_there(akita_server: LiveServer) -> None:
    mine, theirs = new_workspace(akita_server), new_workspace(akita_server)
    requests.post(mine.url, json={"batch": GOOD}, auth=(mine.api_key, ""), timeout=TIMEOUT)
    before = mine.state()

    answer = requests.post(mine.url, json={"batch": GOOD}, auth=(theirs.api_key, ""),
                           timeout=TIMEOUT)

    assert answer.json() == {"accepted": 1, "duplicates": 0}  # new to their workspace
    assert mine.state() == before
    assert theirs.state()["contacts"][0]["person_id"] == "ada"


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    """An in-process simulator with one workspace already holding GOOD."""
    app = create_app({"AKITA_API_KEY": "bad-input"})
    app.test_client().post("/akita/v1/segment", json={"batch": GOOD},
                           headers={"Authorization": "Bearer bad-input"})
    yield app
    simulator_of(app).close()


ALLOWED = {  # field -> JSON types the contract takes there
    **{field: {"string"} for field in ("type", "message_id", "timestamp", "person_id",
                                       "anonymous_id", "organization_id", "event")},
    "traits": {"object"}, "properties": {"object"},
    "name": {"string", "null"}, "category": {"string", "null"},
}
FIELDS = {"contact": ("traits",), "account": ("traits",), "event": ("event", "properties"),
          "page": ("name", "category", "properties")}
JSON_VALUES = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False,
               allow_infinity=False) | st.text(max_size=6) | st.lists(st.integers(), max_size=2)
               | st.dictionaries(st.text(max_size=4), st.integers(), max_size=2))


def json_type(value: Any) -> str:
    """The JSON type of a decoded value."""
    for python, name in ((type(None), "null"), (bool, "boolean"), (int | float, "number"),
                         (str, "string"), (list, "array"), (dict, "object")):
        if isinstance(value, python):
            return name
    raise TypeError(value)


@pytest.mark.parametrize("kind, field", [
    (kind, field) for kind, own in FIELDS.items()
    for field in ("type", "message_id", "timestamp", "person_id", "anonymous_id",
                  "organization_id", *own)])
@settings(max_examples=min(settings.default.max_examples, 10))  # times 32 fields
@given(data=st.data())
def test_a_wrong_type_in_any_field_is_400_naming_it_and_changes_nothing(
        app: Flask, kind: str, field: str, data: st.DataObject) -> None:
    simulator = simulator_of(app)
    workspace = simulator.workspace_for_key("bad-input")
    before = simulator.snapshot(workspace)
    message = data.draw(akita_messages(types=[kind]))
    message[field] = data.draw(JSON_VALUES.filter(lambda v: json_type(v) not in ALLOWED[field]))
    batch = data.draw(st.permutations([message, *data.draw(st.lists(akita_messages(),
                                                                     max_size=2))]))

    answer = app.test_client().post("/akita/v1/segment", json={"batch": batch},
                                    headers={"Authorization": "Bearer bad-input"})

    assert answer.status_code == 400, answer.get_json()
    index = next(i for i, item in enumerate(batch) if item is message)
    assert f"$.batch[{index}].{field}" in [error["path"] for error in answer.get_json()["errors"]]
    assert simulator.snapshot(workspace) == before
