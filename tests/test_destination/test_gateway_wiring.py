"""Where the gateway is mounted and where it is not: the simulator's core never imports the
destination, `akita-sim serve` serves both unless `--no-segment`, and the pytest plugin's live
server takes SDK traffic (chunked bodies over the limit included)."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from destination.gateway import SegmentGateway
from simulator.cli import build_parser
from simulator.web import gateway_of, simulator_of
from simulator.web.serving import create_serving_app

CORE_MODULES = ("simulator.web.app", "simulator.engine", "simulator.service", "simulator.store",
                "simulator.web.blueprints.ingest", "simulator.web.blueprints.control",
                "simulator.web.blueprints.openapi", "simulator.pytest_plugin")
TIMEOUT = 10


def test_the_simulator_core_never_imports_the_destination() -> None:
    script = (
        "import importlib, sys\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "sys.modules['simulator.web.app'].create_app()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'destination'))\n"
    )
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True, timeout=60)

    assert found.stdout.strip() == "[]"


def test_the_serving_app_mounts_the_gateway_unless_told_not_to() -> None:
    served, bare = create_serving_app(), create_serving_app(segment=False)
    try:
        assert isinstance(gateway_of(served), SegmentGateway)
        assert "akita_segment" not in bare.extensions
        assert served.test_client().post("/v1/batch", json={"batch": [],
                                                            "writeKey": "k"}).status_code == 200
        assert bare.test_client().post("/v1/batch", json={"batch": []}).status_code == 404
    finally:
        simulator_of(served).close()
        simulator_of(bare).close()


def test_akita_sim_serve_takes_no_segment() -> None:
    parser = build_parser()

    assert parser.parse_args(["serve"]).segment is True
    assert parser.parse_args(["serve", "--no-segment"]).segment is False


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """`akita-sim serve --memory --port 0` running: (its banner so far, its base URL)."""
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; from simulator.cli import main; sys.exit(main())",
         "serve", "--memory", "--port", "0", "--api-key", "served-key"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        banner = ""
        while "Press Ctrl-C" not in banner:
            line = process.stdout.readline() if process.stdout else ""
            if not line:
                pytest.fail(f"akita-sim serve ended early: {banner}")
            banner += line
        url = banner.split("listening on ", 1)[1].split()[0].rstrip(",")
        yield banner, url
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=TIMEOUT)


def test_akita_sim_serve_serves_the_gateway_by_default(served: tuple[str, str]) -> None:
    banner, url = served
    call = {"type": "track", "userId": "u-1", "event": "Served", "writeKey": "served-key"}

    answer = requests.post(f"{url}/v1/track", json=call, timeout=TIMEOUT)

    assert f"segment:   {url}" in banner
    assert answer.json() == {"success": True}
    state = requests.get(f"{url}/_sim/workspaces", timeout=TIMEOUT).json()
    (workspace,) = state["workspaces"]  # the --api-key workspace: the write key is its key
    journal = requests.get(f"{url}/_sim/workspaces/{workspace['id']}/journal",
                           timeout=TIMEOUT).json()
    assert [e["status"] for e in journal["entries"]] == ["accepted"]


def _chunks(size: int) -> Iterator[bytes]:
    yield b'{"batch": [], "pad": "'
    for _ in range(size // 1024):
        yield b"x" * 1024
    yield b'"}'


@pytest.mark.parametrize(("path", "size"), [("/v1/track", 40 * 1024),
                                            ("/v1/batch", 600 * 1024)])
def test_a_chunked_body_over_the_limit_is_a_400_on_the_live_server(
        akita_server: Any, path: str, size: int) -> None:
    token = base64.b64encode(b"chunked-key:").decode()

    answer = requests.post(akita_server.url_for(path), data=_chunks(size), timeout=TIMEOUT,
                           headers={"Authorization": f"Basic {token}",
                                    "Content-Type": "application/json"})

    assert answer.status_code == 400
    assert answer.json()["code"] == "too_large"
