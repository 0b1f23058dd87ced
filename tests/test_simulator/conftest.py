"""Fixtures of the simulator's tests that more than one module uses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from simulator.web.serving import opened_app


@pytest.fixture
def dashboard_app() -> Iterator[Flask]:
    """The app as `akita-sim serve` runs it (with the local Segment), in memory."""
    with opened_app({"AKITA_DB": None, "TESTING": True}) as app:
        yield app


@pytest.fixture
def dashboard(dashboard_app: Flask) -> FlaskClient:
    """A browser-like client of `dashboard_app`: it keeps the session cookie between requests."""
    return dashboard_app.test_client()
