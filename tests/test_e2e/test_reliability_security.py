"""Security: API keys never leave the request that carried them, keys are matched without
early exit, and a body over the limit is refused from its headers, before it is read.

(Binding to 127.0.0.1 by default, and the warning when told otherwise, are checked with the
CLI in `tests/test_simulator/test_cli.py`.)
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from reliability_support import TIMEOUT, raw_exchange

from simulator.service import Simulator
from simulator.service import keys as service  # it compares keys for the Simulator
from simulator.store import SQLiteStore
from simulator.web import simulator_of
from simulator.web.live_server import MAX_REQUEST_BODY, LiveServer
from simulator.web.serving import create_serving_app

AKITA_SIM = str(Path(sys.executable).with_name("akita-sim"))
CHOSEN_KEY = "chosen-secret-key-0001"
WRONG_KEY = "wrong-secret-key-0002"
CALL = {"userId": "ada", "timestamp": "2026-03-01T09:00:00Z", "traits": {"groupId": "acme"}}
MESSAGE = {"type": "contact", "message_id": "m1", "timestamp": "2026-03-01T09:00:00.000Z",
           "person_id": "ada", "organization_id": "acme"}


def post(url: str, **kwargs: Any) -> None:
    """POST and forget the answer; a dropped connection (an injected fault) included."""
    with contextlib.suppress(requests.ConnectionError):
        requests.post(url, timeout=TIMEOUT, **kwargs)


def exercise(server: LiveServer, keys: list[str]) -> None:
    """Every way a key travels: ingest and the Segment gateway, Basic and Bearer and `writeKey`
    in the body, accepted, rejected and faulted; the control API with keys it does not need."""
    for key in [*keys, WRONG_KEY]:
        for auth in ({"auth": (key, "")}, {"headers": {"Authorization": f"Bearer {key}"}}):
            post(server.url_for("/akita/v1/segment"), json={"batch": [MESSAGE]}, **auth)
            post(server.url_for("/akita/v1/segment"), **auth, json={"batch": [
                {**MESSAGE, "message_id": "bad", "timestamp": "soon"}]})
            post(server.url_for("/v1/identify"), json=CALL, **auth)
        post(server.url_for("/v1/batch"),
             json={"batch": [{**CALL, "type": "identify"}], "writeKey": key})
        requests.get(server.url_for("/_sim/workspaces"), auth=(key, ""), timeout=TIMEOUT)


def test_keys_reach_no_log_journal_database_file_or_export(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    database = tmp_path / "sim.sqlite3"
    app = create_serving_app({"AKITA_DB": str(database)})
    with LiveServer(app) as server:
        chosen = requests.post(server.url_for("/_sim/workspaces"),
                               json={"api_key": CHOSEN_KEY}, timeout=TIMEOUT).json()
        generated = requests.post(server.url_for("/_sim/workspaces"), json={},
                                  timeout=TIMEOUT).json()
        requests.put(server.url_for(f"/_sim/workspaces/{chosen['id']}/faults"),
                     json={"sequence": [503, "drop"]}, timeout=TIMEOUT)
        keys = [CHOSEN_KEY, generated["api_key"]]
        exercise(server, keys)
        workspaces = requests.get(server.url_for("/_sim/workspaces"), timeout=TIMEOUT).text
        journals = [requests.get(server.url_for(f"/_sim/workspaces/{ws['id']}/journal"),
                                 params={"limit": 1000}, timeout=TIMEOUT).text
                    for ws in requests.get(server.url_for("/_sim/workspaces"),
                                           timeout=TIMEOUT).json()["workspaces"]]
    simulator_of(app).close()
    exported = subprocess.run([AKITA_SIM, "export", "--db", str(database)], capture_output=True,
                              text=True, timeout=60, check=True).stdout
    # The database, its WAL, and the engine checkpoints beside it.
    files = b"".join(path.read_bytes() for path in tmp_path.rglob("*")
                     if path.is_file() and path.relative_to(tmp_path).parts[0]
                     .startswith("sim.sqlite3"))

    assert '"status":"accepted"' in "".join(journals)  # the keys did deliver
    assert caplog.records, "nothing was logged, so nothing was scanned"
    for key in [*keys, WRONG_KEY]:
        encoded = base64.b64encode(f"{key}:".encode()).decode()
        for secret in (key, encoded):
            assert secret not in caplog.text
            assert secret not in workspaces and secret not in exported
            assert all(secret not in journal for journal in journals)
            assert secret.encode() not in files


def test_a_key_is_compared_with_every_stored_one_whichever_matches(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    simulator = Simulator(SQLiteStore(None))
    keys = [simulator.create_workspace()["api_key"] for _ in range(5)]
    compared: list[Any] = []
    compare = hmac.compare_digest

    def counting(a: Any, b: Any) -> bool:
        compared.append(a)
        return compare(a, b)

    monkeypatch.setattr(service.hmac, "compare_digest", counting)
    for key in (keys[0], keys[-1], "no-such-key"):
        compared.clear()
        simulator.workspace_for_key(key)
        assert len(compared) == len(keys)  # no early exit: the time does not tell which
    simulator.close()


def test_a_body_over_the_limit_is_refused_from_its_headers_before_it_is_sent(
        akita_server: LiveServer) -> None:
    key = base64.b64encode(b"any-key:").decode()
    headers_only = (f"POST /akita/v1/segment HTTP/1.1\r\nHost: akita.test\r\n"
                    f"Authorization: Basic {key}\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {50 * MAX_REQUEST_BODY}\r\n\r\n").encode()

    answer = raw_exchange(akita_server, headers_only)  # not one byte of the body follows

    assert answer.startswith(b"HTTP/1.1 413 ")
