"""The Tracking API's routes: `/v1/batch` and one per call type, as Segment's SDKs call them.

Every SDK posts to `{host}/v1/batch`; the single-call paths serve hand-written requests and
analytics.js, which posts each call to its type's initial (`/v1/t`, `/v1/p`, ...) and batches
to `/v1/b`, with `Content-Type: text/plain` and the write key in the body. Answers are
Segment's: 200 `{"success": true}` once the calls are delivered and journaled, whatever became
of each; 400 `{"success": false, "message": ...}` for a request that cannot be read (`intake`).
Browsers may call from any origin, so every answer allows it, as Segment's API does, and a
preflight allows whatever headers the page asks for: analytics.js sends `Authorization` (so
every request is preflighted) and, on a retry, `X-Retry-Count`.

A second blueprint serves the delivery queue under `/_sim` (`queue`): its totals and waiting
calls, and a way to retry every waiting call now.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, jsonify, request

from contract.limits import MAX_BATCH_BYTES, MAX_MESSAGE_BYTES
from destination.errors import GatewayError
from destination.gateway import intake

if TYPE_CHECKING:
    from destination.gateway.gateway import SegmentGateway

CALL_TYPES = ("identify", "track", "page", "group", "screen", "alias")
CORS_HEADERS = MappingProxyType({
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Max-Age": "600",
})
DEFAULT_ALLOWED_HEADERS = "Authorization, Content-Type, Content-Encoding, X-Retry-Count"


def _error(error: GatewayError) -> tuple[Response, int]:
    return jsonify(error.to_body()), error.status


def _allow_any_origin(response: Response) -> Response:
    response.headers.update(CORS_HEADERS)
    asked = request.headers.get("Access-Control-Request-Headers", "").strip()
    response.headers["Access-Control-Allow-Headers"] = asked or DEFAULT_ALLOWED_HEADERS
    response.headers["Vary"] = "Access-Control-Request-Headers"
    return response


def build_blueprints(gateway: SegmentGateway) -> tuple[Blueprint, Blueprint]:
    """The routes of one gateway (blueprints per gateway, so apps never share them): the
    Tracking API, and the delivery queue's control routes."""
    return _tracking_api(gateway), _deliveries(gateway)


def _deliveries(gateway: SegmentGateway) -> Blueprint:
    bp = Blueprint("segment_deliveries", __name__, url_prefix="/_sim/workspaces/<workspace_id>")

    @bp.get("/deliveries")
    def deliveries(workspace_id: str) -> dict[str, Any]:
        """Delivery totals per state and Segment error code, and the calls awaiting retry."""
        return gateway.queue.summary(workspace_id)

    @bp.post("/deliveries/retry")
    def retry(workspace_id: str) -> dict[str, Any]:
        """Try every call awaiting retry now, due or not; how they stand after it."""
        outcome = gateway.queue.retry(workspace_id=workspace_id, everything=True)
        return {"retried": outcome, **gateway.queue.summary(workspace_id)}

    return bp


def _tracking_api(gateway: SegmentGateway) -> Blueprint:
    bp = Blueprint("segment", __name__, url_prefix="/v1")

    def batch() -> dict[str, Any]:
        """Deliver a `{"batch": [...]}` with its batch-level context, integrations, sentAt."""
        body = intake.parse_json(intake.read_body(request, MAX_BATCH_BYTES, "batch"))
        key = intake.write_key(request, body)
        calls, fields = intake.batch_calls(body)
        gateway.send(key, calls, batch=fields)
        return {"success": True}

    def single(kind: str) -> Callable[[], dict[str, Any]]:
        def view() -> dict[str, Any]:
            body = intake.parse_json(intake.read_body(request, MAX_MESSAGE_BYTES, "call"))
            key = intake.write_key(request, body)
            gateway.send(key, [intake.single_call(body)], kind=kind)
            return {"success": True}

        view.__doc__ = f"Deliver one {kind} call (its type is the path's)."
        return view

    for path in ("/batch", "/b"):
        bp.add_url_rule(path, f"batch{path.replace('/', '_')}", batch, methods=["POST"])
    for kind in CALL_TYPES:
        view = single(kind)
        bp.add_url_rule(f"/{kind}", kind, view, methods=["POST"])
        bp.add_url_rule(f"/{kind[0]}", f"{kind}_short", view, methods=["POST"])
    bp.register_error_handler(GatewayError, _error)
    bp.after_request(_allow_any_origin)
    return bp
