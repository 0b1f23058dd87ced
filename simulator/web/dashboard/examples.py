"""The playground's example calls: one per thing worth seeing happen.

Each is kept as JSON text (what the playground's text box holds), written the way Segment's
libraries send calls, and together they tell a short story: a user identifies with a groupId
trait (placed before any group call), the group call names the account, then a track, a page
from before they logged in, a screen call Akita skips, and a call that breaks the contract.
None carries a `messageId`: Segment assigns a new one to each, so every send is a new event
rather than a repeat its edge drops.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Example:
    """A named example: `name` in URLs, `title` on the page, `text` in the text box."""

    name: str
    title: str
    text: str


def _example(name: str, title: str, call: dict[str, Any]) -> Example:
    return Example(name, title, json.dumps(call, indent=2, ensure_ascii=False))


_CONTEXT = {"library": {"name": "analytics-python", "version": "2.4.0"}}

EXAMPLES = (
    _example("identify", "identify with a groupId trait", {
        "type": "identify",
        "userId": "user-42", "anonymousId": "anon-7f3a",
        "traits": {"name": "Ada Lovelace", "email": "ada@example.com", "plan": "pro",
                   "groupId": "acme"},
        "timestamp": "2026-03-01T09:00:00.000Z", "context": _CONTEXT,
    }),
    _example("group", "group", {
        "type": "group", "userId": "user-42",
        "groupId": "acme", "traits": {"name": "Acme Corp", "plan": "enterprise",
                                      "employees": 250},
        "timestamp": "2026-03-01T09:01:00.000Z", "context": _CONTEXT,
    }),
    _example("track", "track", {
        "type": "track", "userId": "user-42",
        "event": "Report Exported", "properties": {"format": "csv", "rows": 1200},
        "timestamp": "2026-03-01T09:05:00.000Z", "context": {**_CONTEXT, "groupId": "acme"},
    }),
    _example("page", "page (anonymous, before logging in)", {
        "type": "page", "anonymousId": "anon-7f3a",
        "name": "Pricing", "properties": {"plan": "pro"},
        "timestamp": "2026-03-01T08:55:00.000Z",
        "context": {**_CONTEXT, "page": {"url": "https://example.com/pricing",
                                         "path": "/pricing", "title": "Pricing"}},
    }),
    _example("screen", "screen (Akita skips it)", {
        "type": "screen", "userId": "user-42",
        "name": "Dashboard", "timestamp": "2026-03-01T09:06:00.000Z",
    }),
    _example("invalid", "invalid (breaks the contract)", {
        "type": "track", "properties": "not an object", "timestamp": "yesterday",
    }),
)


def example(name: str) -> Example | None:
    """The example called `name`, or None."""
    return next((found for found in EXAMPLES if found.name == name), None)
