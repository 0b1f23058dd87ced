"""The gateway's part of the server's OpenAPI document, built from the same route table.

The gateway is mounted only where the app is wired for serving, so its paths cannot live in the
simulator's document file; `simulator.web.serving` adds this fragment when it mounts the routes,
and the document served always describes exactly the routes the app has.
"""

from __future__ import annotations

from typing import Any

from destination.gateway.routes import CALL_TYPES

_REF = "#/components/schemas/"
_ANSWERS = {
    "200": {"description": "Taken: delivered through the destination and journaled, whatever "
                           "became of each call (Segment answers 200 for calls it drops).",
            "content": {"application/json": {"schema": {"$ref": _REF + "SegmentSuccess"}}}},
    "400": {"description": "Unreadable: no write key, invalid JSON, bad gzip, or over 32 KB a "
                           "call, 500 KB or 2,500 calls a batch.",
            "content": {"application/json": {"schema": {"$ref": _REF + "SegmentError"}}}},
}
_SCHEMAS = {
    "SegmentSuccess": {"type": "object", "properties": {"success": {"const": True}},
                       "required": ["success"]},
    "SegmentError": {"type": "object",
                     "properties": {"success": {"const": False}, "code": {"type": "string"},
                                    "message": {"type": "string", "minLength": 1}},
                     "required": ["success", "message"]},
    "SegmentCall": {"type": "object", "description": "A Segment call; see the contract's "
                    "schemas/segment/*.json. Invalid calls are still answered 200 and journaled "
                    "as failed, with the reason."},
    "DeliveryQueue": {"type": "object", "required": ["totals", "awaiting_retry",
                                                      "retry_window_seconds"], "properties": {
        "totals": {"type": "object", "description": "Per state (awaiting_retry, delivered, "
                   "discarded), the count per Segment error code.",
                   "additionalProperties": {"type": "object",
                                            "additionalProperties": {"type": "integer"}}},
        "awaiting_retry": {"type": "array", "items": {"type": "object"}},
        "retry_window_seconds": {"type": "number"}}},
    "DeliveryRetry": {"allOf": [{"$ref": _REF + "DeliveryQueue"}, {
        "type": "object", "required": ["retried"], "properties": {"retried": {
            "type": "object", "additionalProperties": {"type": "integer"}}}}]},
    "SegmentBatch": {"type": "object", "properties": {
        # Any item: one that is not a call is still answered 200 and journaled as invalid.
        "batch": {"type": "array", "items": {"description": "A Segment call (SegmentCall); "
                                             "an item that is none is dropped with its reason, "
                                             "the batch still answered 200."}},
        "context": {"type": "object"}, "integrations": {"type": "object"},
        "sentAt": {"type": "string"}, "writeKey": {"type": "string"}},
        "required": ["batch"]},
}


def _operation(summary: str, schema: str) -> dict[str, Any]:
    return {"post": {
        "tags": ["Segment Tracking API"],
        "summary": summary,
        "security": [{"writeKeyBasic": []}, {}],
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": {"$ref": _REF + schema}},
            "text/plain": {"schema": {"$ref": _REF + schema}}}},
        "responses": _ANSWERS,
    }}


_WORKSPACE_PARAMETER = [{"name": "workspace_id", "in": "path", "required": True,
                         "schema": {"type": "string"}}]
_NOT_FOUND = {"description": "No such workspace.",
              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _queue_operation(method: str, summary: str, schema: str) -> dict[str, Any]:
    return {method: {
        "tags": ["Segment delivery queue"], "summary": summary,
        "parameters": _WORKSPACE_PARAMETER,
        "responses": {"200": {"description": summary, "content": {"application/json": {
            "schema": {"$ref": _REF + schema}}}}, "404": _NOT_FOUND},
    }}


def openapi_fragment() -> dict[str, Any]:
    """Paths, schemas and the security scheme of the local Segment Tracking API, and of its
    delivery queue's control routes."""
    paths: dict[str, Any] = {
        "/_sim/workspaces/{workspace_id}/deliveries": _queue_operation(
            "get", "Delivery totals per state and Segment error code, and the calls awaiting "
                   "retry", "DeliveryQueue"),
        "/_sim/workspaces/{workspace_id}/deliveries/retry": _queue_operation(
            "post", "Try every call awaiting retry now, due or not", "DeliveryRetry"),
    }
    for path in ("/v1/batch", "/v1/b"):
        paths[path] = _operation("Deliver a batch of Segment calls", "SegmentBatch")
    for kind in CALL_TYPES:
        for path in (f"/v1/{kind}", f"/v1/{kind[0]}"):
            paths[path] = _operation(f"Deliver one {kind} call", "SegmentCall")
    return {"paths": paths, "components": {
        "schemas": _SCHEMAS,
        "securitySchemes": {"writeKeyBasic": {
            "type": "http", "scheme": "basic",
            "description": "The write key as username and an empty password; or `writeKey` "
                           "in the body."}}}}
