"""Realistic values, and the fields each Segment library wraps around a call.

The building blocks of `contract.strategies` and `contract.journeys`, kept in one place so that
single calls and whole journeys look alike: names in many scripts (Arabic and Hebrew run right
to left), emails, nested traits, numbers at the edges of what JSON carries, and timestamps and
message ids written exactly the way each library writes them.

Factories whose strategy depends on nothing drawn are cached: a strategy is immutable, and one
built anew inside every draw is validated anew by Hypothesis every time, which made generation
several times slower.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from typing import Any

from hypothesis import strategies as st

from contract.timestamps import to_wire

# JavaScript libraries round integers beyond this, so no realistic payload carries bigger ones.
JSON_SAFE_INT = 2**53 - 1

JS, PYTHON, NODE, HTTP = "analytics.js", "analytics-python", "analytics-node", "http"
LIBRARIES = (JS, PYTHON, NODE, HTTP)  # HTTP: a service calling the Tracking API by hand
_LIBRARY_CONTEXT = {
    JS: {"name": "analytics.js", "version": "npm:next-1.70.0"},
    PYTHON: {"name": "analytics-python", "version": "2.4.0"},
    NODE: {"name": "@segment/analytics-node", "version": "3.1.0"},
}

PERSON_NAMES = ("Ada Lovelace", "Zoë Ångström", "ليلى حداد", "נועה כהן", "山田 太郎", "王小明",
                "김민준", "Ἀριστοτέλης", "Renée \"Ren\" O'Brien", "Mx. 🦊 Fox")
COMPANY_NAMES = ("Acme Corp", "Globex", "شركة النخيل", "אורן בע\"מ", "株式会社さくら",
                 "北京科技有限公司", "Ünïcødé GmbH", "🍕 Pizza Co", "<b>Initech</b>")
PLANS = ("free", "trial", "pro", "enterprise")
EVENT_NAMES = ("Signed Up", "Order Completed", "Report Exported", "Invite Sent",
               "登録完了", "تم الشراء", "הזמנה בוצעה", "🎉 Milestone Reached")
_EMAIL_LOCALS = ("ada", "zoe.angstrom", "first.last+crm", "o'brien", "zoë", "ليلى", "山田")
_EMAIL_DOMAINS = ("example.com", "example.org", "bücher.example", "例え.jp", "mail.example.co.uk")
_TRAIT_KEYS = ("title", "company_size", "favourite colour", "名前", "الدور", "a.b", "$special")
_PAGES = (("/", "Home"), ("/pricing", "Pricing"), ("/docs/getting-started", "Getting started"),
          ("/ar/الأسعار", "الأسعار"), ("/he/מחירים", "מחירים"), ("/ja/料金", "料金"))
_LOCALES = (("en-US", "America/Los_Angeles"), ("ar-EG", "Africa/Cairo"),
            ("he-IL", "Asia/Jerusalem"), ("ja-JP", "Asia/Tokyo"), ("hi-IN", "Asia/Kolkata"))
_USER_AGENTS = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Safari/605.1.15",
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0.0.0 Safari/537.36")
_INTEGRATIONS = ({}, {"All": True}, {"All": False, "Akita": True}, {"Salesforce": False},
                 {"Google Analytics": {"clientId": "1033501218.1368477899"}})

# Offsets a caller in local time produces: UTC written as +00:00, half and quarter hours, and
# both ends of the range.
ZONES = tuple(timedelta(minutes=m) for m in (0, 330, -480, 540, -210, 345, 840, -660))
EARLIEST, LATEST = datetime(2015, 1, 1), datetime(2035, 12, 31)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@cache
def names() -> st.SearchStrategy[str]:
    """Person names in Latin, Arabic, Hebrew, CJK, Hangul and Greek script, quotes and emoji."""
    return st.sampled_from(PERSON_NAMES)


@cache
def emails() -> st.SearchStrategy[str]:
    """Email addresses: plain, dotted, plus-tagged and internationalised (RFC 6531) ones."""
    number = st.integers(1, 999).map(str) | st.just("")
    return st.builds("{}{}@{}".format, st.sampled_from(_EMAIL_LOCALS), number,
                     st.sampled_from(_EMAIL_DOMAINS))


@cache
def numbers() -> st.SearchStrategy[int | float]:
    """JSON numbers at the edges: JSON-safe integers, floats from 5e-324 to 1e300, negative zero.

    Never NaN or infinity: JSON cannot carry them.
    """
    edges = st.sampled_from((0, 1e-300, 1e300, -1e300, 5e-324, -0.0, JSON_SAFE_INT, -JSON_SAFE_INT))
    return st.one_of(edges, st.integers(-JSON_SAFE_INT, JSON_SAFE_INT),
                     st.floats(allow_nan=False, allow_infinity=False))


@cache
def trait_keys() -> st.SearchStrategy[str]:
    """Keys users invent: spaces, dots, dollars, non-Latin scripts, the empty string.

    Never `groupId`, which places a contact and so is set on purpose by the strategies.
    """
    return st.sampled_from(_TRAIT_KEYS) | st.text(max_size=12).filter(lambda key: key != "groupId")


@cache
def json_values() -> st.SearchStrategy[Any]:
    """Any JSON value: null, booleans, edge numbers, any text, and lists and objects of them."""
    scalars = st.none() | st.booleans() | numbers() | st.text(max_size=24) | names()
    return st.recursive(
        scalars,
        lambda inner: (st.lists(inner, max_size=3)
                       | st.dictionaries(trait_keys(), inner, max_size=3)),
        max_leaves=6,
    )


@cache
def custom_fields() -> st.SearchStrategy[dict[str, Any]]:
    """Up to three invented fields with any JSON values, as real tracking plans grow."""
    return st.dictionaries(trait_keys(), json_values(), max_size=3)


def _with_custom(known: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """`known` fields plus invented ones; a known field wins a clash of keys."""
    return st.builds(lambda k, c: {**c, **k}, known, custom_fields())


@cache
def user_ids(*, numeric: bool = False) -> st.SearchStrategy[str | int]:
    """userIds as products choose them: database keys, emails, UUIDs, slugs in any script, any
    non-empty text; JSON-safe integers too when `numeric` (the Tracking API takes numbers)."""
    strings = st.one_of(st.sampled_from(("user_1", "ユーザー42", "مستخدم-7", "משתמש_3")),
                        st.integers(1, 10**9).map(str), emails(), st.uuids().map(str),
                        st.text(min_size=1, max_size=20))
    return (strings | st.integers(0, JSON_SAFE_INT)) if numeric else strings


@cache
def anonymous_ids() -> st.SearchStrategy[str]:
    """anonymousIds: the UUIDs browsers mint, or any non-empty text a client chose."""
    return st.uuids().map(str) | st.text(min_size=1, max_size=20)


@cache
def account_ids(*, numeric: bool = False) -> st.SearchStrategy[str | int]:
    """groupIds: slugs, domains, UUIDs, any non-empty text; JSON-safe integers when `numeric`."""
    strings = st.one_of(st.sampled_from(("acct_1", "acme.example", "組織-7", "شركة-2")),
                        st.uuids().map(str), st.text(min_size=1, max_size=20))
    return (strings | st.integers(0, JSON_SAFE_INT)) if numeric else strings


@cache
def moments(*, earliest: datetime = EARLIEST,
            latest: datetime = LATEST) -> st.SearchStrategy[datetime]:
    """Aware UTC datetimes between two naive bounds: years an SDK really sends, not year 1."""
    return st.datetimes(min_value=earliest, max_value=latest, timezones=st.just(UTC))


def write_timestamp(moment: datetime, library: str, zone: timedelta = ZONES[0]) -> str:
    """`moment` as `library` writes it.

    JavaScript's toISOString (milliseconds, `Z`) for analytics.js and analytics-node; Python's
    isoformat with an offset (six fraction digits, none on a whole second) otherwise, in `zone`
    when the caller passed local time.
    """
    if library in (JS, NODE):
        return to_wire(moment)
    return moment.astimezone(timezone(zone)).isoformat()


@cache
@st.composite
def timestamps(draw: st.DrawFn) -> str:
    """ISO 8601 timestamps as Segment libraries write them: `Z` with milliseconds, `+00:00` with
    microseconds or none, and local offsets such as `+05:30` and `-08:00`."""
    return write_timestamp(draw(moments()), draw(st.sampled_from(LIBRARIES)),
                           draw(st.sampled_from(ZONES)))


@cache
def person_traits() -> st.SearchStrategy[dict[str, Any]]:
    """identify traits: the Spec's reserved ones (email, name, createdAt, a nested address...)
    and invented ones, nested."""
    address = st.fixed_dictionaries({"city": st.sampled_from(("Cairo", "תל אביב", "東京", "Lyon"))},
                                    optional={"postalCode": st.sampled_from(("75001", "100-0001"))})
    return _with_custom(st.fixed_dictionaries({}, optional={
        "email": emails(), "name": names(), "createdAt": timestamps(),
        "plan": st.sampled_from(PLANS),
        "logins": st.integers(0, JSON_SAFE_INT), "score": numbers(), "address": address,
        "tags": st.lists(st.text(max_size=10), max_size=3),
    }))


@cache
def account_traits() -> st.SearchStrategy[dict[str, Any]]:
    """group traits: company name, plan, employees, revenue, a nested address, invented ones."""
    return _with_custom(st.fixed_dictionaries({}, optional={
        "name": st.sampled_from(COMPANY_NAMES), "plan": st.sampled_from(PLANS),
        "employees": st.integers(1, 500_000), "mrr": numbers(), "createdAt": timestamps(),
        "address": st.fixed_dictionaries({"country": st.sampled_from(("EG", "IL", "JP", "FR"))}),
    }))


@cache
def event_properties() -> st.SearchStrategy[dict[str, Any]]:
    """track properties: revenue and currency, a list of products, invented ones."""
    product = st.fixed_dictionaries({"sku": st.text(min_size=1, max_size=8), "price": numbers()})
    return _with_custom(st.fixed_dictionaries({}, optional={
        "revenue": numbers(), "currency": st.sampled_from(("USD", "EUR", "JPY", "ILS")),
        "products": st.lists(product, max_size=3),
    }))


@cache
def event_names() -> st.SearchStrategy[str]:
    """Event names as tracking plans spell them, in several scripts, or any non-empty text."""
    return st.sampled_from(EVENT_NAMES) | st.text(min_size=1, max_size=30)


@cache
@st.composite
def page_views(draw: st.DrawFn) -> dict[str, str]:
    """What a browser knows about a page (path, referrer, search, title, url), consistent."""
    path, title = draw(st.sampled_from(_PAGES))
    search = draw(st.sampled_from(("", "?utm_source=newsletter", "?q=%D8%B3%D8%B9%D8%B1")))
    referrer = draw(st.sampled_from(("", "https://www.google.com/", "https://news.example/")))
    return {"path": path, "referrer": referrer, "search": search, "title": title,
            "url": f"https://app.example.com{path}{search}"}


def id_as_sent(library: str, value: str | int | None) -> str | int | None:
    """An id as `library` puts it on the wire: analytics-python stringifies, others keep it."""
    return str(value) if library == PYTHON and value is not None else value


def identity_fields(library: str, user_id: str | int | None,
                    anonymous_id: str | None) -> dict[str, Any]:
    """userId and anonymousId as `library` writes them: analytics-python sends the absent one
    as null, the others leave it out."""
    if library == PYTHON:
        return {"userId": id_as_sent(library, user_id), "anonymousId": anonymous_id}
    return {key: value for key, value in (("userId", user_id), ("anonymousId", anonymous_id))
            if value is not None}


def message_id(library: str, token: uuid.UUID, moment: datetime) -> str:
    """The messageId `library` would make from a random `token` at `moment`."""
    if library == JS:
        return f"ajs-next-{token.hex}"
    if library == NODE:
        return f"node-next-{(moment - _EPOCH) // timedelta(milliseconds=1)}-{token}"
    return str(token)


@st.composite
def envelopes(draw: st.DrawFn, library: str, *, moment: datetime, token: uuid.UUID,
              page: dict[str, str] | None = None) -> dict[str, Any]:
    """The fields `library` sends with every call, ids aside: messageId, timestamp, context
    (library, and a browser's page, locale and user agent), integrations, and what else it adds
    (analytics-node's `_metadata`, a hand-rolled client's `version` and `channel`)."""
    zone = draw(st.sampled_from(ZONES)) if library in (PYTHON, HTTP) else ZONES[0]
    fields: dict[str, Any] = {"messageId": message_id(library, token, moment),
                              "timestamp": write_timestamp(moment, library, zone),
                              "integrations": dict(draw(st.sampled_from(_INTEGRATIONS)))}
    if library == HTTP:  # the Spec documents channel inside context; clients send it on top too
        fields["context"] = {"ip": "203.0.113.7"}
        fields["version"] = draw(st.sampled_from(("1.1", 2, 1.1)))
        channel = draw(st.sampled_from((None, fields, fields["context"])))
        if channel is not None:
            channel["channel"] = "server"
        return fields
    fields["context"] = {"library": dict(_LIBRARY_CONTEXT[library])}
    if library == NODE:
        fields["_metadata"] = {"nodeVersion": "20.11.1", "jsRuntime": "node"}
    if library == JS:
        locale, zone_name = draw(st.sampled_from(_LOCALES))
        fields["context"].update(page=page or draw(page_views()), locale=locale,
                                 timezone=zone_name, userAgent=draw(st.sampled_from(_USER_AGENTS)))
        fields["_metadata"] = {"bundled": ["Segment.io"], "unbundled": [], "bundledIds": []}
    return fields


_STRINGIFIED = ("userId", "previousId", "groupId")  # the ids analytics-python stringifies


@st.composite
def calls(draw: st.DrawFn, library: str, kind: str, *, user_id: str | int | None,
          anonymous_id: str | None, moment: datetime, token: uuid.UUID, body: dict[str, Any],
          context_group_id: str | int | None = None) -> dict[str, Any]:
    """A `kind` call as `library` sends it, around the call type's own fields in `body`.

    A page's properties carry the page view; analytics-node copies a page's category into them;
    analytics-python sends an absent name or category as null where the others leave it out.
    """
    view = draw(page_views()) if kind == "page" or library == JS else None
    call: dict[str, Any] = {"type": kind}
    if kind != "alias":  # alias names its two ids in its body
        call.update(identity_fields(library, user_id, anonymous_id))
    call.update(draw(envelopes(library, moment=moment, token=token, page=view)))
    body = {key: id_as_sent(library, value) if key in _STRINGIFIED else value
            for key, value in body.items()}
    if kind in ("page", "screen"):
        body["properties"] = {**body.get("properties", {}), **(view or {})}
        if library == NODE and body.get("category") is not None:
            body["properties"]["category"] = body["category"]
        for key in ("name", "category"):
            if library == PYTHON:
                body.setdefault(key, None)
            elif body.get(key, "") is None:
                del body[key]
    call.update(body)
    if context_group_id is not None:
        call["context"]["groupId"] = context_group_id
    return call
