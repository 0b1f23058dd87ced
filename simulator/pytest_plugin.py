"""pytest fixtures for testing code that talks to Akita, against a local Akita.

Registered once through the `pytest11` entry point (`akita = "simulator.pytest_plugin"`), so
installing the package is enough; do not also list it in `pytest_plugins` or pass `-p`.

- `akita_server` (session): one live simulator per test process on a free port, in memory.
  Under pytest-xdist each worker is its own process, so each gets its own server.
- `akita_workspace` (function): a fresh workspace on that server, hence a clean slate per test
  without restarting anything, and tests can run in parallel against one server.
- `akita_app` / `akita_client` (function): the Flask app in process, for fast unit tests.

The plugin is loaded into every pytest run of anyone who installs the package, so Flask, waitress
and the simulator are imported inside the fixtures: a run that uses none of them pays nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest
import requests

if TYPE_CHECKING:
    from flask import Flask
    from flask.testing import FlaskClient

    from simulator.web.live_server import LiveServer

_TIMEOUT = 10


@dataclass(frozen=True)
class AkitaWorkspace:
    """One workspace on a live simulator: what a test needs to send to it and look inside it.

    `url` is the ingest endpoint (`.../akita/v1/segment`) and `server_url` the server's base URL.
    """

    id: str
    api_key: str
    url: str
    server_url: str

    def _get(self, path: str, **params: Any) -> requests.Response:
        return requests.get(
            f"{self.server_url}/_sim/workspaces/{self.id}{path}",
            params={k: v for k, v in params.items() if v is not None},
            timeout=_TIMEOUT,
        )

    def state(self) -> dict[str, Any]:
        """The workspace's full snapshot: accounts, contacts, pending, visitors, sessions."""
        response = self._get("/state")
        response.raise_for_status()
        return response.json()

    def contact(self, person_id: str) -> dict[str, Any] | None:
        """One contact with its account, traits, history and sessions; None if unknown."""
        response = self._get(f"/contacts/{quote(person_id, safe='')}")
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.json()

    def journal(self, **filters: Any) -> list[dict[str, Any]]:
        """Journal entries, newest first; filters: status, type, person, before, limit."""
        response = self._get("/journal", **filters)
        response.raise_for_status()
        return response.json()["entries"]


@pytest.fixture(scope="session")
def akita_server() -> Iterator[LiveServer]:
    """A live Akita simulator (in-memory store) on a free port, shared by the test session,
    with the local Segment Tracking API: point an SDK's host at `url` and use a workspace's
    API key as the write key.

    Hand each test its own workspace with `akita_workspace` rather than resetting this server.
    """
    from simulator.web.live_server import LiveServer
    from simulator.web.serving import opened_app

    with opened_app({"AKITA_DB": None}) as app, LiveServer(app) as server:
        yield server


@pytest.fixture
def akita_workspace(akita_server: LiveServer, request: pytest.FixtureRequest) -> AkitaWorkspace:
    """A new, empty workspace on `akita_server`, named after the test that asked for it."""
    response = requests.post(
        akita_server.url_for("/_sim/workspaces"),
        json={"name": request.node.nodeid[-200:]},
        timeout=_TIMEOUT,
    )
    response.raise_for_status()
    created = response.json()
    return AkitaWorkspace(
        id=created["id"],
        api_key=created["api_key"],
        url=akita_server.url_for("/akita/v1/segment"),
        server_url=akita_server.url,
    )


@pytest.fixture
def akita_app() -> Iterator[Flask]:
    """A fresh in-process simulator app with an in-memory store, for fast unit tests."""
    from simulator.web.serving import opened_app

    with opened_app({"AKITA_DB": None, "TESTING": True}, segment=False) as app:
        yield app


@pytest.fixture
def akita_client(akita_app: Flask) -> FlaskClient:
    """Flask's test client for `akita_app`: no sockets, no threads."""
    return akita_app.test_client()
