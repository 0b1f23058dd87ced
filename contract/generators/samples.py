"""Realistic values for the contract's strategies.

The building blocks of `strategies` and `journeys` in this package, kept in one place so that
single calls and whole journeys look alike: names in many scripts (Arabic and Hebrew run right
to left), emails, nested traits, numbers at the edges of what JSON carries, and timestamps
written exactly the way each library writes them.

Factories whose strategy depends on nothing drawn are cached: a strategy is immutable, and one
built anew inside every draw is validated anew by Hypothesis every time, which made generation
several times slower.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from typing import Any

from hypothesis import strategies as st

from contract.timestamps import to_wire

# JavaScript libraries round integers beyond this, so no realistic payload carries bigger ones.
JSON_SAFE_INT = 2**53 - 1

JS, PYTHON, NODE, HTTP = "analytics.js", "analytics-python", "analytics-node", "http"
LIBRARIES = (JS, PYTHON, NODE, HTTP)  # HTTP: a service calling the Tracking API by hand

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

PAGE_VIEWS = tuple(  # what a browser knows about a page, consistent
    {"path": path, "referrer": referrer, "search": search, "title": title,
     "url": f"https://app.example.com{path}{search}"}
    for path, title in _PAGES
    for search in ("", "?utm_source=newsletter", "?q=%D8%B3%D8%B9%D8%B1")
    for referrer in ("", "https://www.google.com/", "https://news.example/")
)

# Offsets a caller in local time produces: UTC written as +00:00, half and quarter hours, and
# both ends of the range.
ZONES = tuple(timedelta(minutes=m) for m in (0, 330, -480, 540, -210, 345, 840, -660))
EARLIEST, LATEST = datetime(2015, 1, 1), datetime(2035, 12, 31)


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


def copies_of(values: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    """A fresh copy of one of `values`: a single choice however nested the value, and no two
    drawn messages share a mutable part that a test could change in both."""
    return st.sampled_from(range(len(values))).map(lambda index: copy.deepcopy(values[index]))


@cache
def page_views() -> st.SearchStrategy[dict[str, str]]:
    """What a browser knows about a page (path, referrer, search, title, url), consistent."""
    return copies_of(PAGE_VIEWS)
