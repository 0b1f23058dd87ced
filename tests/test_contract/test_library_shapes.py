"""Calls exactly as the official Segment libraries send them validate, byte for byte.

Written out by hand from what each library put on the wire against a local receiver
(SEGMENT-FACTS), so that a schema change which would turn real traffic away fails here first.
"""

from __future__ import annotations

from typing import Any

import pytest

from contract import validate_segment_batch, validate_segment_call

PYTHON_CONTEXT = {"library": {"name": "analytics-python", "version": "2.4.0"}}

# segment-analytics-python 2.4.0: POST /v1/batch; absent ids as null, +00:00, UUID messageIds.
PYTHON_BATCH = {
    "batch": [
        {"integrations": {}, "anonymousId": None, "timestamp": "2026-11-29T22:37:16.180000+00:00",
         "context": PYTHON_CONTEXT, "type": "identify", "userId": "user_1",
         "traits": {"email": "ada@example.com", "name": "ليلى حداد", "groupId": "acct_1"},
         "messageId": "4f3c9f1e-0a54-4a4f-9d0e-2b8c3a0f5d11"},
        {"integrations": {}, "anonymousId": "9b2f5c1e-77aa-4a43-8d6c-0f6a3b1e2c90",
         "timestamp": "2026-11-29T22:37:16+00:00", "context": PYTHON_CONTEXT, "type": "track",
         "userId": None, "event": "Signed Up", "properties": {"plan": "pro"},
         "messageId": "5a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d"},
        {"integrations": {}, "anonymousId": None, "timestamp": "2026-11-29T22:37:16.180+00:00",
         "context": PYTHON_CONTEXT, "type": "group", "userId": "user_1", "groupId": "1042",
         "traits": {"name": "Acme Corp", "employees": 12},
         "messageId": "6b2e3d4c-5f60-4b7c-9d8e-0f1a2b3c4d5e"},
        {"integrations": {}, "anonymousId": None, "timestamp": "2026-11-30T04:07:16.180000+05:30",
         "context": PYTHON_CONTEXT, "type": "page", "userId": "user_1", "name": None,
         "category": None, "properties": {}, "messageId": "7c3f4e5d-6071-4c8d-8e9f-1a2b3c4d5e6f"},
    ],
    "sentAt": "2026-11-29T22:37:17.002451+00:00",
    "writeKey": "wk_3bX9",
}

# analytics.js (analytics-next): Z timestamps, context.page, the browser's locale and agent.
JS_PAGE = {
    "type": "page", "anonymousId": "e3cff386-2f3e-42db-a5cf-30a3d0ee8725", "name": "Pricing",
    "properties": {"path": "/pricing", "referrer": "https://www.google.com/", "search": "",
                   "title": "Pricing", "url": "https://app.example.com/pricing"},
    "context": {"page": {"path": "/pricing", "referrer": "https://www.google.com/", "search": "",
                         "title": "Pricing", "url": "https://app.example.com/pricing"},
                "library": {"name": "analytics.js", "version": "npm:next-1.70.0"},
                "locale": "he-IL", "userAgent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0"},
    "messageId": "ajs-next-1b5c6d2e9f0a4b3c8d7e6f5a4b3c2d1e",
    "timestamp": "2026-11-29T22:37:16.180Z", "sentAt": "2026-11-29T22:37:16.190Z",
    "integrations": {}, "_metadata": {"bundled": ["Segment.io"], "unbundled": [],
                                      "bundledIds": []},
}
JS_IDENTIFY = {
    **{key: JS_PAGE[key] for key in ("anonymousId", "context", "integrations", "_metadata")},
    "type": "identify", "userId": "user_1", "traits": {"name": "נועה כהן", "groupId": 1042},
    "messageId": "ajs-next-2c6d7e3f0a1b5c4d9e8f7a6b5c4d3e2f",
    "timestamp": "2026-11-29T22:37:17.004Z",
}

# @segment/analytics-node 3.1.0: Z, node-next-<ms>-<uuid>, _metadata, absent ids left out.
NODE_CONTEXT = {"library": {"name": "@segment/analytics-node", "version": "3.1.0"}}
NODE_METADATA = {"nodeVersion": "20.11.1", "jsRuntime": "node"}
NODE_BATCH = {
    "batch": [
        {"type": "track", "userId": "user_1", "event": "Order Completed",
         "properties": {"revenue": 19.99, "currency": "USD"}, "context": NODE_CONTEXT,
         "_metadata": NODE_METADATA, "timestamp": "2026-11-29T22:37:16.180Z",
         "messageId": "node-next-1764455836180-3e8f2a1b-7c6d-4e5f-9a8b-1c2d3e4f5a6b",
         "integrations": {}},
        {"type": "page", "anonymousId": "anon-42", "name": "Docs", "category": "Help",
         "properties": {"category": "Help"}, "context": NODE_CONTEXT, "_metadata": NODE_METADATA,
         "timestamp": "2026-11-29T22:37:16.200Z",
         "messageId": "node-next-1764455836200-4f903b2c-8d7e-4f60-8b9c-2d3e4f5a6b7c"},
    ],
    "sentAt": "2026-11-29T22:37:16.300Z",
}

# A service calling the Tracking API by hand: numeric ids, version and channel both ways.
HTTP_CALLS = [
    {"type": "identify", "userId": 42, "traits": {"seats": 9007199254740991}, "version": "1.1",
     "channel": "server", "timestamp": "2026-11-29T14:37:16-08:00"},
    {"type": "group", "anonymousId": 7, "groupId": 1042, "version": 2,
     "context": {"channel": "server", "groupId": 1042}},
    {"type": "screen", "userId": "user_1", "name": "設定", "properties": {"ratio": 1e-300}},
    {"type": "alias", "userId": "user_1", "previousId": "e3cff386-2f3e-42db-a5cf-30a3d0ee8725"},
]


def test_an_analytics_python_batch_body_validates() -> None:
    assert validate_segment_batch(PYTHON_BATCH) == []


@pytest.mark.parametrize("call", [JS_PAGE, JS_IDENTIFY], ids=["page", "identify"])
def test_analytics_js_calls_validate(call: dict[str, Any]) -> None:
    assert validate_segment_call(call) == []


def test_an_analytics_node_batch_body_validates() -> None:
    assert validate_segment_batch(NODE_BATCH) == []


@pytest.mark.parametrize("call", HTTP_CALLS, ids=[call["type"] for call in HTTP_CALLS])
def test_hand_rolled_tracking_api_calls_validate(call: dict[str, Any]) -> None:
    assert validate_segment_call(call) == []


def test_analytics_python_with_both_ids_null_is_refused_at_user_id() -> None:
    call = {**PYTHON_BATCH["batch"][0], "userId": None}
    assert [problem.path for problem in validate_segment_call(call)] == ["$.userId"]
