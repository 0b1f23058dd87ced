"""Akita's own onboarding for Segment, as the destination's page describes it: where to find
the key to paste into Segment's Akita destination, and what Akita makes of each call.

Akita's settings page shows a "Segment.com API Key" to paste into Segment's destination
settings (its one setting, `apiKey`); here that is the workspace's API key, which the simulator
keeps only as a digest, so the page can show it only when the server was started with it.
"""

from __future__ import annotations

from flask import current_app, render_template

from simulator.web.blueprints.common import simulator
from simulator.web.dashboard.blueprint import bp
from simulator.web.dashboard.examples import EXAMPLES

_WS = "/workspaces/<workspace_id>"
# What Akita makes of each Segment call, and what to send with it; sourced or assumed, as the
# README's mapping table and rules table mark them.
CALLS = (
    ("identify", "a contact", "userId (required), traits; groupId as a trait places the "
     "contact in its account before any group call", "Akita"),
    ("group", "an account", "groupId, and the account's name and plan as traits; the calling "
     "user is placed in it", "Akita"),
    ("track", "an event, in the person's sessions", "event, properties; context.groupId to "
     "attribute it to an account", "Akita (sessions: assumption)"),
    ("page", "a page view, in the person's sessions", "name, category, properties",
     "Akita (sessions: assumption)"),
    ("screen", "nothing: Akita does not support it", "", "Akita's catalog entry"),
    ("alias", "nothing: Akita does not support it", "", "Akita's catalog entry"),
)


@bp.get(f"{_WS}/connect")
def connect(workspace_id: str) -> str:
    """Connect Segment: the key to paste into Segment's Akita destination."""
    workspace = simulator().workspace(workspace_id)
    served = current_app.config.get("AKITA_API_KEY")
    key = served if served and simulator().workspace_for_key(served) == workspace_id else None
    settings = simulator().partner.settings.get(workspace_id)
    return render_template("dashboard/connect.html", workspace=workspace, key=key,
                           settings=settings)


@bp.get(f"{_WS}/configure")
def configure(workspace_id: str) -> str:
    """Segment > Configure: what Akita makes of each call, the traits worth sending, and a link
    to each call's mapping field by field (its example in the playground)."""
    return render_template("dashboard/configure.html",
                           workspace=simulator().workspace(workspace_id), calls=CALLS,
                           examples={example.name for example in EXAMPLES})
