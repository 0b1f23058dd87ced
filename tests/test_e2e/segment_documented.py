"""Segment calls shaped as Segment's own documentation shows them, each with the outcome its
docs and Akita's rules imply.

The shapes follow the pages named in each case (Spec: Identify, Track, Page, Group, Screen,
Alias and Common Fields; the HTTP API source; the duplicate-data guide; Timestamps), values
changed: the Spec's "typical payload with most common fields removed", an HTTP API body whose
type comes from its path, a batch with batch-level context and integrations, the legacy
`action` field, a device clock hours off, and the calls Segment drops or filters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

BROWSER = {"library": {"name": "analytics.js", "version": "npm:next-1.84.0"},
           "page": {"path": "/pricing", "url": "https://example.com/pricing",
                    "title": "Pricing", "referrer": "", "search": ""}}
SERVER = {"library": {"name": "analytics-python", "version": "2.4.0"}}


@dataclass(frozen=True)
class Documented:
    """One documented call, how it is sent, and what must become of it.

    `kind`: the `/v1/<type>` path it is posted to (None: `/v1/batch`, its type in the body);
    `batch`: batch-level fields sent with it; `outcome`: the status, and for problems the path;
    `message`: fields the Akita message must hold; `repeat_of`: a case sent just before it.
    """

    name: str
    source: str
    call: dict[str, Any]
    outcome: tuple[str, str | None]
    kind: str | None = None
    batch: dict[str, Any] = field(default_factory=dict)
    message: dict[str, Any] = field(default_factory=dict)
    repeat_of: str | None = None


CORPUS = (
    Documented("identify, typical", "Spec: Identify (typical payload)",
               {"type": "identify", "userId": "97980cfea0067",
                "traits": {"name": "Peter Gibbons", "email": "peter@example.com",
                           "plan": "premium", "logins": 5}},
               ("mapped", None), message={"type": "contact", "person_id": "97980cfea0067"}),
    Documented("track, typical without ids", "Spec: Track (typical payload, common fields "
               "removed): Segment needs userId or anonymousId",
               {"type": "track", "event": "User Registered",
                "properties": {"plan": "Pro Annual", "accountType": "Facebook"}},
               ("invalid", "$.userId")),
    Documented("page, with an anonymousId", "Spec: Page",
               {"type": "page", "anonymousId": "507f191e810c19729de860ea", "name": "Home",
                "properties": {"title": "Welcome | Initech", "url": "http://www.example.com"}},
               ("mapped", None), message={"type": "page", "name": "Home"}),
    Documented("group", "Spec: Group",
               {"type": "group", "groupId": "0e8c78ea9d97a7b8185e8632", "userId": "97980cfea0067",
                "traits": {"name": "Initech", "industry": "Technology", "employees": 329}},
               ("mapped", None), message={"type": "account", "person_id": "97980cfea0067",
                                          "organization_id": "0e8c78ea9d97a7b8185e8632"}),
    Documented("screen", "Spec: Screen; Akita's catalog entry: unsupported",
               {"type": "screen", "userId": "97980cfea0067", "name": "Home"},
               ("skipped", "$.type")),
    Documented("alias", "Spec: Alias; Akita's catalog entry: unsupported",
               {"type": "alias", "previousId": "39239-239239-239239-23923",
                "userId": "507f191e81"}, ("skipped", "$.type")),
    Documented("identify through /v1/identify", "HTTP API: Identify (type from the path)",
               {"userId": "019mr8mf4r", "traits": {"email": "pgibbons@example.com",
                                                   "groupId": "initech"},
                "context": {"ip": "24.5.68.47"}, "timestamp": "2012-12-02T00:30:08.276Z"},
               ("mapped", None), kind="identify",
               message={"type": "contact", "organization_id": "initech",
                        "timestamp": "2012-12-02T00:30:08.276Z"}),
    Documented("track through /v1/track, history", "HTTP API: Track; Timestamps (server "
               "libraries and the HTTP API may set timestamp; it is kept)",
               {"userId": "019mr8mf4r", "event": "Item Purchased",
                "properties": {"name": "Leap to Conclusions Mat", "revenue": 14.99},
                "context": {"ip": "24.5.68.47", **SERVER},
                "timestamp": "2012-12-02T00:30:12.984Z"}, ("mapped", None), kind="track",
               message={"type": "event", "event": "Item Purchased",
                        "timestamp": "2012-12-02T00:30:12.984Z"}),
    Documented("identify in a batch with its context", "HTTP API: Batch (batch-level context "
               "and integrations merge into each call)",
               {"type": "identify", "userId": "019mr8mf4r", "messageId": "doc-batch-1",
                "traits": {"name": "Peter Gibbons"}},
               ("mapped", None), batch={"context": {"groupId": "initech", **SERVER}},
               message={"organization_id": "initech"}),
    Documented("legacy action body", "HTTP API (older bodies name the type in `action`)",
               {"action": "track", "userId": "019mr8mf4r", "event": "Logged In",
                "messageId": "doc-legacy-1", "timestamp": "2012-12-02T00:30:08.276Z"},
               ("mapped", None), message={"type": "event", "event": "Logged In"}),
    Documented("the same call, no messageId, sent again", "Duplicate-data guide: the HTTP API "
               "gives each event without a messageId a unique one",
               {"type": "track", "userId": "019mr8mf4r", "event": "Clicked Button"},
               ("mapped", None), repeat_of="the same call, no messageId, sent again"),
    Documented("a repeated messageId", "Duplicate-data guide: de-duplicated by messageId",
               {"type": "track", "userId": "019mr8mf4r", "event": "Signed Up",
                "messageId": "doc-repeated-1", "timestamp": "2026-11-29T10:00:00Z"},
               ("duplicate", None), repeat_of="a repeated messageId"),
    Documented("All false", "Common Fields: integrations (All false sends to none by default)",
               {"type": "track", "userId": "019mr8mf4r", "event": "Hidden",
                "integrations": {"All": False, "Mixpanel": True}}, ("filtered", None)),
    Documented("All false, Akita true", "Common Fields: integrations (a destination named "
               "true is enabled)", {"type": "track", "userId": "019mr8mf4r", "event": "Shown",
                                    "integrations": {"All": False, "Akita": True}},
               ("mapped", None)),
    Documented("a browser clock two hours ahead", "Timestamps: device-mode timestamps are "
               "corrected, receivedAt - (sentAt - originalTimestamp)",
               {"type": "page", "anonymousId": "anon-skewed", "messageId": "ajs-next-doc-1",
                "name": "Pricing", "context": BROWSER,
                "timestamp": "2099-01-01T02:00:00.000Z", "sentAt": "2099-01-01T02:00:05.000Z"},
               ("mapped", None)),
    Documented("neither userId nor anonymousId", "HTTP API: Errors (no_user_anon_id); the "
               "local Segment answers 200 and journals it invalid",
               {"type": "identify", "traits": {"email": "x@example.com"}},
               ("invalid", "$.userId")),
    Documented("a timestamp that is not one", "Spec: Common Fields (timestamp is ISO 8601)",
               {"type": "track", "userId": "019mr8mf4r", "event": "E", "timestamp": "yesterday"},
               ("invalid", "$.timestamp")),
)
