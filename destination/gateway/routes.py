"""The Tracking API's routes: `/v1/batch` and one per call type, as Segment's SDKs call them.

Every SDK posts to `{host}/v1/batch`; the single-call paths serve hand-written requests and
analytics.js, which posts each call to its type's initial (`/v1/t`, `/v1/p`, ...) and batches
to `/v1/b`, with `Content-Type: text/plain` and the write key in the body. Answers are
Segment's: 200 `{"success": true}` once the calls are delivered and journaled, whatever became
of each; 400 `{"success": false, "message": ...}` for a request that cannot be read (`intake`).
Browsers may call from any origin, so every answer allows it, as Segment's API does.
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
    "Access-Control-Allow-Headers": "Authorization, Content-Type, Content-Encoding",
})


def _error(error: GatewayError) -> tuple[Response, int]:
    return jsonify(error.to_body()), error.status


def _allow_any_origin(response: Response) -> Response:
    response.headers.update(CORS_HEADERS)
    return response


def build_blueprint(gateway: SegmentGateway) -> Blueprint:
    """The routes of one gateway (a blueprint per gateway, so apps never share one)."""
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
            gateway.send(key, [intake.single_call(body, kind)])
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
