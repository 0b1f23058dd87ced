"""Fault injection over real sockets: the control API, each outcome as a sender meets it, and
`akita-sim serve --fault-*`. A request met with an injected fault applies nothing."""

from __future__ import annotations

import base64
import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from engine_messages import account, contact
from test_cli import Served

from simulator.cli import main
from simulator.pytest_plugin import AkitaWorkspace
from simulator.web.live_server import LiveServer

BATCH = [contact("f1", 0, "u1", organization_id="org1"), account("f2", 1, "org1")]


def faults_url(workspace: AkitaWorkspace) -> str:
    """The workspace's fault plan in the control API."""
    return f"{workspace.server_url}/_sim/workspaces/{workspace.id}/faults"


def plan(workspace: AkitaWorkspace, **fields: Any) -> dict[str, Any]:
    """PUT a fault plan; the state the server answers with."""
    answer = requests.put(faults_url(workspace), json=fields, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def send(workspace: AkitaWorkspace, batch: list[dict] = BATCH, key: str | None = None
         ) -> requests.Response:
    """Deliver a batch as Segment does (Basic auth, the key, an empty password)."""
    return requests.post(workspace.url, json={"batch": batch},
                         auth=(key or workspace.api_key, ""), timeout=10)


def seen(workspace: AkitaWorkspace) -> tuple[dict, list]:
    """State and journal: what must not change when a request is failed on purpose."""
    return workspace.state(), workspace.journal(limit=1000)


def test_the_control_api_sets_shows_and_clears_a_plan(akita_workspace: AkitaWorkspace) -> None:
    empty = requests.get(faults_url(akita_workspace), timeout=10).json()
    set_ = plan(akita_workspace, fail_next=1, sequence=["drop"], latency_ms=5, seed=9)
    cleared = requests.delete(faults_url(akita_workspace), timeout=10).json()

    assert empty["sequence"] == [] and empty["counts"]["requests"] == 0
    assert set_["sequence"] == [503, "drop"] and set_["seed"] == 9 and set_["latency_ms"] == 5
    assert cleared["sequence"] == [] and cleared["latency_ms"] == 0
    assert send(akita_workspace).status_code == 200


@pytest.mark.parametrize("method, body, status, reason", [
    ("put", {"error_rate": -0.5}, 400, "error_rate must be a number from 0 to 1"),
    ("put", {"sequence": [418]}, 400, "sequence must hold"),
    ("put", [1, 2], 400, "JSON object"),
])
def test_a_bad_plan_is_400_and_leaves_the_plan_as_it_was(
        akita_workspace: AkitaWorkspace, method: str, body: Any, status: int, reason: str
) -> None:
    plan(akita_workspace, sequence=[500])

    answer = requests.request(method, faults_url(akita_workspace), json=body, timeout=10)

    assert answer.status_code == status and reason in answer.json()["message"]
    assert requests.get(faults_url(akita_workspace), timeout=10).json()["sequence"] == [500]


def test_an_unknown_workspace_has_no_faults_to_set(akita_server: LiveServer) -> None:
    url = akita_server.url_for("/_sim/workspaces/ws_nope/faults")

    assert requests.get(url, timeout=10).status_code == 404
    assert requests.put(url, json={"fail_next": 1}, timeout=10).status_code == 404
    assert requests.delete(url, timeout=10).status_code == 404


@pytest.mark.parametrize("status", [500, 503, 429])
def test_an_injected_error_is_answered_with_a_reason_and_applies_nothing(
        akita_workspace: AkitaWorkspace, status: int) -> None:
    send(akita_workspace, [contact("before", 0, "u0")])
    before = seen(akita_workspace)
    plan(akita_workspace, sequence=[status], retry_after=7)

    answer = send(akita_workspace)

    assert answer.status_code == status
    assert answer.json()["code"] == "injected_fault" and "nothing was applied" in answer.json()[
        "message"]
    assert answer.headers.get("Retry-After") == ("7" if status == 429 else None)
    assert seen(akita_workspace) == before
    assert send(akita_workspace).json() == {"accepted": 2, "duplicates": 0}


def raw_post(server: str, key: str, body: bytes) -> bytes:
    """POST to ingest over a bare socket; every byte the server sent before closing."""
    host, port = server.removeprefix("http://").rsplit(":", 1)
    auth = base64.b64encode(f"{key}:".encode()).decode()
    head = (f"POST /akita/v1/segment HTTP/1.1\r\nHost: {host}\r\nAuthorization: Basic {auth}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head + body)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def test_a_dropped_connection_closes_with_no_answer_and_applies_nothing(
        akita_workspace: AkitaWorkspace) -> None:
    before = seen(akita_workspace)
    plan(akita_workspace, sequence=["drop", "drop"])
    body = json.dumps({"batch": BATCH}).encode()

    assert raw_post(akita_workspace.server_url, akita_workspace.api_key, body) == b""
    with pytest.raises(requests.ConnectionError):
        send(akita_workspace)
    assert seen(akita_workspace) == before
    assert requests.get(faults_url(akita_workspace), timeout=10).json()["counts"]["drop"] == 2


def test_a_lost_answer_applies_the_batch_and_a_resend_is_a_duplicate(
        akita_workspace: AkitaWorkspace) -> None:
    plan(akita_workspace, sequence=["lost_answer"])

    with pytest.raises(requests.ConnectionError):
        send(akita_workspace)
    again = send(akita_workspace)

    assert again.json() == {"accepted": 0, "duplicates": 2}
    assert akita_workspace.state()["counts"]["messages"] == 2
    statuses = [entry["status"] for entry in akita_workspace.journal()]
    assert sorted(statuses) == ["accepted", "accepted", "duplicate", "duplicate"]


def test_latency_delays_ingest_only(akita_workspace: AkitaWorkspace) -> None:
    plan(akita_workspace, latency_ms=300)

    started = time.monotonic()
    answer = send(akita_workspace)
    waited = time.monotonic() - started

    assert answer.status_code == 200 and waited >= 0.3  # a lower bound, never a speed claim
    assert requests.get(faults_url(akita_workspace), timeout=10).json()["counts"]["ok"] == 1


def test_faults_come_after_the_key_and_only_in_the_workspace_that_has_them(
        akita_workspace: AkitaWorkspace, akita_server: LiveServer) -> None:
    plan(akita_workspace, error_rate=1, statuses=[503])
    created = requests.post(akita_server.url_for("/_sim/workspaces"), json={}, timeout=10).json()
    other = AkitaWorkspace(created["id"], created["api_key"], akita_workspace.url,
                           akita_workspace.server_url)

    assert send(akita_workspace, key="not-a-key").status_code == 401
    assert send(akita_workspace).status_code == 503
    assert send(other).status_code == 200
    assert akita_workspace.state()["counts"]["messages"] == 0  # control API is never faulted
    assert requests.get(faults_url(akita_workspace), timeout=10).json()["counts"] == {
        "requests": 1, "ok": 0, "429": 0, "500": 0, "503": 1, "drop": 0, "lost_answer": 0}


def test_serve_flags_fault_every_workspace_and_the_banner_says_so(tmp_path: Path) -> None:
    served = Served("--memory", "--api-key", "k", "--fault-rate", "1", "--fault-statuses", "429",
                    "--fault-retry-after", "3", "--fault-latency", "20ms", "--fault-seed", "5",
                    cwd=tmp_path)
    try:
        workspace_id = requests.get(f"{served.url}/_sim/workspaces", timeout=10).json()[
            "workspaces"][0]["id"]
        answer = served.post("k", BATCH)
        shown = requests.get(f"{served.url}/_sim/workspaces/{workspace_id}/faults",
                             timeout=10).json()
    finally:
        status, _, err = served.stop()

    assert "faults:    100% errors (429), 20 ms latency, seed 5" in served.banner
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "3"
    assert (shown["error_rate"], shown["statuses"], shown["seed"]) == (1.0, [429], 5)
    assert status == 0 and "Traceback" not in err


@pytest.mark.parametrize("flags, named", [
    (["--fault-rate", "2"], "invalid probability '2'"),
    (["--fault-statuses", "500,404"], "invalid statuses '500,404'"),
    (["--fault-latency", "soon"], "invalid duration 'soon'"),
])
def test_bad_fault_flags_are_named(tmp_path: Path, flags: list[str], named: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--memory", *flags])

    assert exited.value.code == 2 and named in capsys.readouterr().err


def test_the_segment_gateway_delivering_in_process_meets_a_drop_as_no_answer_and_retries(
        akita_workspace: AkitaWorkspace) -> None:
    plan(akita_workspace, sequence=["drop"])
    call = {"userId": "u9", "messageId": "g1", "timestamp": "2026-03-01T09:00:00Z"}

    answer = requests.post(f"{akita_workspace.server_url}/v1/identify", json=call,
                           auth=(akita_workspace.api_key, ""), timeout=10)

    assert answer.status_code == 200
    [queued] = akita_workspace.journal()
    assert queued["reasons"][0].startswith("errors.awaiting-retry.ECONNRESET: ")
    retried = requests.post(f"{akita_workspace.server_url}/_sim/workspaces/"
                            f"{akita_workspace.id}/deliveries/retry", timeout=10).json()
    assert retried["retried"]["delivered"] == 1
    assert [entry["status"] for entry in akita_workspace.journal()] == ["accepted", "failed"]
    assert akita_workspace.contact("u9") is not None
