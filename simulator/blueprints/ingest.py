"""`POST /akita/v1/segment`: where the Segment destination delivers Akita messages.

The API key picks the workspace (401 without a known one); the body is refused by size before
it is read (413), by media type (415) and by syntax (400); the Simulator validates the batch
against the contract and applies it all or nothing.
"""

from __future__ import annotations

from flask import Blueprint

from contract import limits
from simulator.blueprints.common import api_key, json_body, simulator
from simulator.errors import Unauthorized

bp = Blueprint("ingest", __name__)


@bp.post("/akita/v1/segment")
def segment() -> dict[str, int]:
    """Apply one `{"batch": [...]}`; 200 with accepted and duplicate counts."""
    service = simulator()
    workspace_id = service.workspace_for_key(api_key())
    if workspace_id is None:
        raise Unauthorized("unknown API key: it names no workspace on this simulator")
    return service.ingest(workspace_id, json_body(limits.MAX_BATCH_BYTES))
