"""pytest fixtures for testing code that talks to Akita, against a local Akita.

Registered once through the `pytest11` entry point (`akita = "simulator.pytest_plugin"`), so
installing the package is enough; do not also list it in `pytest_plugins` or pass `-p`.

- `akita_server` (session): one live simulator per test process on a free port, in memory.
  Under pytest-xdist each worker is its own process, so each gets its own server.
- `akita_workspace` (function): a fresh workspace on that server, hence a clean slate per test
  without restarting anything, and tests can run in parallel against one server.
- `akita_segment` (function): analytics-python's `Client` pointed at that workspace through the
  server's local Segment, flushed when the test ends (and by the helpers, before they look):
  a user's signup code that takes a client sends through it as it would through Segment.
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

    def _one(self, path: str) -> dict[str, Any] | None:
        response = self._get(path)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.json()

    def contact(self, person_id: str) -> dict[str, Any] | None:
        """One contact with its account, traits, history and sessions; None if unknown."""
        return self._one(f"/contacts/{quote(person_id, safe='')}")

    def account(self, organization_id: str) -> dict[str, Any] | None:
        """One account with its traits and contacts; None if unknown."""
        return self._one(f"/accounts/{quote(organization_id, safe='')}")

    def sessions(self, person_id: str | None = None) -> list[dict[str, Any]]:
        """Sessions of everyone, or of one contact or visitor."""
        response = self._get("/sessions", person=person_id)
        response.raise_for_status()
        return response.json()["sessions"]

    def pending(self) -> list[dict[str, Any]]:
        """Contacts not placed in an account yet, each with the reason."""
        response = self._get("/pending")
        response.raise_for_status()
        return response.json()["pending"]

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
def akita_segment(akita_workspace: AkitaWorkspace) -> Iterator[Any]:
    """analytics-python's `Client` for `akita_workspace`: its write key is the workspace's key
    and its host the server, so calls go through the local Segment into that workspace. A new
    client per test (the SDK's module-level default client keeps the first host and key it is
    given, so later tests would land in the first test's workspace); flushed and shut down when
    the test ends. Call `flush()` before looking, as after `analytics.flush()`."""
    from segment.analytics import Client

    client = Client(write_key=akita_workspace.api_key, host=akita_workspace.server_url,
                    max_retries=2, upload_interval=0.05)  # a test's calls leave at once
    yield client
    client.shutdown()  # flushes, then stops its thread


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
