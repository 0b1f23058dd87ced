"""Over real sockets: LiveServer, the pytest plugin's fixtures, and a restart keeping data."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from engine_messages import account, contact, event

from contract import limits
from simulator.pytest_plugin import AkitaWorkspace
from simulator.web import simulator_of
from simulator.web.app import create_app
from simulator.web.live_server import LiveServer

JOURNEY = [contact("m1", 0, "u1", organization_id="org1"),
           account("m2", 1, "org1", person_id="u1", traits={"plan": "pro"}),
           event("m3", 2, person_id="u1")]


def deliver(workspace: AkitaWorkspace, batch: list[dict]) -> requests.Response:
    """POST a batch to the workspace's ingest URL the way Segment does (Basic, key + ':')."""
    return requests.post(workspace.url, json={"batch": batch}, auth=(workspace.api_key, ""),
                         timeout=10)


def test_live_server_serves_on_a_free_port_and_stops() -> None:
    app = create_app()
    server = LiveServer(app)
    with pytest.raises(RuntimeError):
        _ = server.url

    with server:
        assert server.port != 0
        assert server.url_for("_sim/health") == f"http://127.0.0.1:{server.port}/_sim/health"
        assert requests.get(server.url_for("/_sim/health"), timeout=10).status_code == 200
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{server.port}/_sim/health", timeout=2)
    simulator_of(app).close()


def test_the_workspace_fixture_gives_a_working_empty_workspace(
    akita_workspace: AkitaWorkspace,
) -> None:
    assert akita_workspace.state()["counts"]["messages"] == 0

    response = deliver(akita_workspace, JOURNEY)

    assert response.json() == {"accepted": 3, "duplicates": 0}
    assert akita_workspace.contact("u1")["organization_id"] == "org1"
    assert akita_workspace.contact("nobody") is None
    assert [e["message_id"] for e in akita_workspace.journal(status="accepted")] == [
        "m3", "m2", "m1"]


def test_each_test_gets_its_own_workspace_on_the_shared_server(
    akita_workspace: AkitaWorkspace, akita_server: LiveServer
) -> None:
    assert akita_workspace.server_url == akita_server.url
    assert akita_workspace.state()["counts"]["messages"] == 0  # the test above sent data
    other = requests.post(akita_server.url_for("/_sim/workspaces"), json={}, timeout=10).json()
    deliver(akita_workspace, JOURNEY)

    theirs = requests.get(akita_server.url_for(f"/_sim/workspaces/{other['id']}/state"),
                          timeout=10).json()
    assert theirs["counts"]["messages"] == 0


def test_a_chunked_body_over_the_limit_is_413_too(akita_workspace: AkitaWorkspace) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(limits.MAX_BATCH_BYTES // 1024 + 1):
            yield b" " * 1024

    response = requests.post(akita_workspace.url, data=chunks(), auth=(akita_workspace.api_key, ""),
                             headers={"Content-Type": "application/json"}, timeout=10)

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large" and response.json()["message"]


def test_concurrent_senders_apply_each_message_once(akita_workspace: AkitaWorkspace) -> None:
    batches = [[contact(f"m{n}", n % 50, f"u{n % 7}", organization_id=f"org{n % 3}")
                for n in range(start, start + 40)] for start in range(0, 200, 20)]
    answers: list[dict[str, int]] = []

    def send(batch: list[dict]) -> None:
        answers.append(deliver(akita_workspace, batch).json())

    threads = [threading.Thread(target=send, args=(batch,)) for batch in batches * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(a["accepted"] for a in answers) == 220
    assert sum(a["accepted"] + a["duplicates"] for a in answers) == 2 * 40 * len(batches)
    state = akita_workspace.state()
    assert state["counts"]["messages"] == 220
    members = [person for acc in state["accounts"] for person in acc["contacts"]]
    assert sorted(members) == sorted(set(members))


def test_a_file_backed_server_keeps_its_data_across_a_restart(tmp_path: Path) -> None:
    config = {"AKITA_DB": str(tmp_path / "sim.sqlite3"), "AKITA_API_KEY": "restart-key"}
    first = create_app(config)
    with LiveServer(first) as server:
        response = requests.post(server.url_for("/akita/v1/segment"), json={"batch": JOURNEY},
                                 auth=("restart-key", ""), timeout=10)
        assert response.status_code == 200
        [workspace] = requests.get(server.url_for("/_sim/workspaces"), timeout=10).json()[
            "workspaces"]
        before = requests.get(server.url_for(f"/_sim/workspaces/{workspace['id']}/state"),
                              timeout=10).json()
    simulator_of(first).close()

    second = create_app(config)
    with LiveServer(second) as server:
        after = requests.get(server.url_for(f"/_sim/workspaces/{workspace['id']}/state"),
                             timeout=10).json()
        again = requests.post(server.url_for("/akita/v1/segment"), json={"batch": JOURNEY},
                              auth=("restart-key", ""), timeout=10)
    simulator_of(second).close()

    assert after == before and after["counts"]["messages"] == 3
    assert again.json() == {"accepted": 0, "duplicates": 3}


def test_the_plugin_is_registered_by_its_entry_point(tmp_path: Path) -> None:
    test_file = tmp_path / "test_uses_plugin.py"
    test_file.write_text(textwrap.dedent("""
        import requests

        def test_in_process(akita_client):
            assert akita_client.get("/_sim/health").status_code == 200

        def test_live(akita_workspace):
            answer = requests.post(akita_workspace.url, json={"batch": []},
                                   auth=(akita_workspace.api_key, ""), timeout=10)
            assert answer.json() == {"accepted": 0, "duplicates": 0}
    """))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=90, check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
