"""What the dashboard's tests share besides the fixtures (in conftest): workspaces, form tokens
and a story. The story (`populate`) holds one of everything a page shows: a placed contact
stitched to an anonymous id, a pending contact whose events name an account, a visitor, a
rejected batch, and a contact with hostile traits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from engine_messages import account, contact, event, page
from flask import Flask
from flask.testing import FlaskClient

from simulator.errors import BadRequest
from simulator.service import Simulator
from simulator.web import simulator_of

SCRIPT = "<script>window.__pwned = 1</script>"
IMG = '<img src=x onerror="window.__pwned = 2">'
RTL = "שלום עולם مرحبا"
LONG = "A" * 9_990 + "<b>end</b>"  # 10 KB, markup at the far end


@dataclass(frozen=True)
class Story:
    """Ids of a populated workspace."""

    workspace_id: str
    api_key: str


def service(app: Flask) -> Simulator:
    """The Simulator behind an app."""
    return simulator_of(app)


def workspace(app: Flask, name: str = "empty") -> Story:
    """A new empty workspace."""
    created = service(app).create_workspace(name)
    return Story(created["id"], created["api_key"])


def populate(app: Flask) -> Story:
    """A workspace holding the story told in the module docstring."""
    story = workspace(app, "story")
    sim = service(app)
    sim.ingest(story.workspace_id, {"batch": [
        contact("c1", 0, "ann", traits={"name": "Ann", "plan": "pro"}, organization_id="org/1",
                anonymous_id="anon-1"),
        account("a1", 1, "org/1", person_id="ann", traits={"name": "Acme"}),
        page("p0", -5, "Pricing", anonymous_id="anon-1"),
        event("e1", 2, "Report Exported", person_id="ann", properties={"rows": 3}),
        event("e2", 90, "Invite Sent", person_id="ann"),
        contact("c2", 3, "bob", traits={"name": "Bob"}),
        event("e3", 4, "Signed Up", person_id="bob", organization_id="org/2"),
        page("p1", 5, "Home", anonymous_id="anon-2"),
        contact("c3", 6, "mallory", traits={"name": SCRIPT, "bio": LONG, "city": RTL},
                organization_id="org/1"),
        event("e4", 7, IMG, person_id="mallory"),
    ]})
    bad = {"batch": [{"type": "contact", "message_id": "bad-1", "timestamp": "2026-03-01T09:00Z"}]}
    with pytest.raises(BadRequest):
        sim.ingest(story.workspace_id, bad)
    return story


def csrf_token(client: FlaskClient, path: str = "/") -> str:
    """The CSRF token a page's forms carry for this client's session."""
    html = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, f"no form with a CSRF token on {path}"
    return found.group(1)
