"""Akita's REST API under `/akita/v1/` (the Segment Tracking API owns `/v1/` on this port):
`POST accounts`, `contacts`, `interactions` and `event-counts`, each with the workspace's API
key as Bearer (Basic works too), answering Akita's `{"data": {...}}`. What each does is the
service's (`simulator.service.rest`); this module only reads the request."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from contract import limits
from simulator.errors import Unauthorized
from simulator.web.blueprints.common import api_key, json_body, simulator

bp = Blueprint("rest", __name__, url_prefix="/akita/v1")


def _workspace() -> str:
    found = simulator().workspace_for_key(api_key())
    if found is None:
        raise Unauthorized("unknown API key: it names no workspace on this simulator")
    return found


@bp.post("/accounts")
def accounts() -> dict[str, Any]:
    """Create or update an account by `internal_id`."""
    return simulator().rest.upsert(_workspace(), "account", json_body(limits.MAX_MESSAGE_BYTES))


@bp.post("/contacts")
def contacts() -> dict[str, Any]:
    """Create or update a contact by `internal_id`, placed in its `internal_account_id`."""
    return simulator().rest.upsert(_workspace(), "contact", json_body(limits.MAX_MESSAGE_BYTES))


@bp.post("/interactions")
def interactions() -> tuple[dict[str, Any], int]:
    """Queue a ticket, chat or invoice: 202."""
    return simulator().rest.queue(_workspace(), "interaction",
                                  json_body(limits.MAX_MESSAGE_BYTES)), 202


@bp.post("/event-counts")
def event_counts() -> tuple[dict[str, Any], int]:
    """Queue daily event counts of contacts: 202."""
    return simulator().rest.queue(_workspace(), "event_counts",
                                  json_body(limits.MAX_BATCH_BYTES)), 202
