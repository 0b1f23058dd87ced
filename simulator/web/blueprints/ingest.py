"""`POST /akita/v1/segment`: where Segment delivers to Akita, in either wire format: a
`{"batch": [...]}` of Akita messages (the bulk path), or one raw Segment call as Segment
delivers to partner destinations (`simulator.service.partner`).

The API key picks the workspace (401 without a known one); then the workspace's fault plan
(`simulator.service.faults`) may delay the request, answer 429/500/503 or close the connection, all
before the body is read, so a faulted request applies nothing. Otherwise the body is refused by
size before it is read (413), by media type (415) and by syntax (400); the Simulator validates
the batch against the contract and applies it all or nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, after_this_request, request
from waitress.channel import ClientDisconnected

from contract import limits
from simulator.errors import InjectedFault, Unauthorized
from simulator.service.faults import ERROR_STATUSES
from simulator.service.partner import read_settings
from simulator.web.blueprints.common import api_key, json_body, simulator

bp = Blueprint("ingest", __name__)


def _no_answer() -> Iterator[bytes]:
    """Raises waitress's "client went away" while the answer is written, before its first byte.

    waitress then closes the connection without writing anything, which is exactly a dropped
    connection as the sender sees it. (An exception raised inside the view would become a 500
    instead: Flask answers for it.) A client calling the app in process maps the failure at its
    own transport, as it would a socket's.
    """
    raise ClientDisconnected("injected fault: connection closed with no answer")
    yield b""  # makes this a generator: the raise happens when the server reads the body


def _dropped() -> Response:
    """An answer whose body closes the connection instead (a real server is needed: waitress)."""
    return Response(_no_answer(), mimetype="application/json")


@bp.post("/akita/v1/segment")
def segment() -> Any:
    """Apply one `{"batch": [...]}`; 200 with accepted and duplicate counts."""
    service = simulator()
    workspace_id = service.workspace_for_key(api_key())
    if workspace_id is None:
        raise Unauthorized("unknown API key: it names no workspace on this simulator")
    decision = service.faults_of(workspace_id).draw()
    if decision.latency:
        time.sleep(decision.latency)
    if decision.outcome == "drop":
        return _dropped()
    if decision.outcome in ERROR_STATUSES:
        if decision.outcome == 429:
            @after_this_request
            def retry_after(response: Response) -> Response:
                response.headers["Retry-After"] = str(decision.retry_after)
                return response
        raise InjectedFault(int(decision.outcome))
    body = json_body(limits.MAX_BATCH_BYTES)
    if isinstance(body, dict) and "batch" not in body:  # Segment's partner wire: one raw call
        settings = read_settings(request.headers.get("X-Segment-Settings"))
        result = service.partner.deliver(workspace_id, body, settings)
    else:
        result = service.ingest(workspace_id, body)
    return _dropped() if decision.outcome == "lost_answer" else result
