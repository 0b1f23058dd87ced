"""How each Segment library writes a call: the shapes the contract must accept.

A Sender is one installation of a library (a visitor's browser, a company's backend): its
settings (time zone, locale, user agent, integrations, what it adds on top) stay the same from
call to call, so they are drawn once, and writing a call is then a pure function of the sender
and the call's own values. What the official libraries do, observed against a local receiver:
analytics-python stringifies ids and sends the absent one as null, writes `+00:00` (or the
caller's offset) and a UUID messageId; analytics-node writes `Z`, a `node-next-<ms>-<uuid>`
messageId and `_metadata`, and copies a page's category into its properties; analytics.js writes
`Z`, an `ajs-next-` messageId, `context.page` and the browser's locale and user agent. A service
calling the Tracking API by hand may send numeric ids, `version`, and `channel` on top.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from hypothesis import strategies as st

from contract.generators.samples import (
    HTTP,
    JS,
    LIBRARIES,
    NODE,
    PYTHON,
    ZONES,
    copies_of,
    page_views,
    write_timestamp,
)

_LIBRARY_CONTEXT = {
    JS: {"name": "analytics.js", "version": "npm:next-1.70.0"},
    PYTHON: {"name": "analytics-python", "version": "2.4.0"},
    NODE: {"name": "@segment/analytics-node", "version": "3.1.0"},
}
_BROWSERS = (("en-US", "America/Los_Angeles", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) "
              "AppleWebKit/605.1.15 Safari/605.1.15"),
             ("ar-EG", "Africa/Cairo", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0"),
             ("he-IL", "Asia/Jerusalem", "Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0"),
             ("ja-JP", "Asia/Tokyo", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5) Mobile Safari"))
_INTEGRATIONS = ({}, {"All": True}, {"All": False, "Akita": True}, {"Salesforce": False},
                 {"Google Analytics": {"clientId": "1033501218.1368477899"}})
_STRINGIFIED = ("userId", "previousId", "groupId")  # the ids analytics-python stringifies
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Sender:
    """One installation of a library and the settings it sends every call with."""

    library: str
    zone: timedelta  # the offset timestamps are written in (Python and HTTP callers only)
    context: dict[str, Any]
    extra: dict[str, Any]  # top-level fields besides the call's own
    integrations: dict[str, Any]
    page: dict[str, str] | None  # a browser's current page, for calls that are not pages


@cache
def senders(*, libraries: tuple[str, ...] = LIBRARIES) -> st.SearchStrategy[Sender]:
    """Installations of any of `libraries`, each with its own settings."""
    return _senders(libraries)


@cache
def _integrations() -> st.SearchStrategy[dict[str, Any]]:
    return copies_of(_INTEGRATIONS)


@st.composite
def _senders(draw: st.DrawFn, libraries: tuple[str, ...]) -> Sender:
    library = draw(st.sampled_from(libraries))
    zone = draw(st.sampled_from(ZONES)) if library in (PYTHON, HTTP) else ZONES[0]
    integrations = draw(_integrations())
    context: dict[str, Any] = {"library": _LIBRARY_CONTEXT.get(library)}
    extra: dict[str, Any] = {}
    page = None
    if library == HTTP:  # the Spec documents channel inside context; clients send it on top too
        context = {"ip": "203.0.113.7"}
        extra["version"] = draw(st.sampled_from(("1.1", 2, 1.1)))
        where = draw(st.sampled_from(("nowhere", "top", "context")))
        if where != "nowhere":
            (extra if where == "top" else context)["channel"] = "server"
    elif library == NODE:
        extra["_metadata"] = {"nodeVersion": "20.11.1", "jsRuntime": "node"}
    elif library == JS:
        locale, zone_name, agent = draw(st.sampled_from(_BROWSERS))
        context.update(locale=locale, timezone=zone_name, userAgent=agent)
        extra["_metadata"] = {"bundled": ["Segment.io"], "unbundled": [], "bundledIds": []}
        page = draw(page_views())
    return Sender(library, zone, context, extra, integrations, page)


def message_id(library: str, token: uuid.UUID, moment: datetime) -> str:
    """The messageId `library` makes from a random `token` at `moment`."""
    if library == JS:
        return f"ajs-next-{token.hex}"
    if library == NODE:
        return f"node-next-{(moment - _EPOCH) // timedelta(milliseconds=1)}-{token}"
    return str(token)


def _as_sent(library: str, value: Any) -> Any:
    return str(value) if library == PYTHON and value is not None else value


def _identity(library: str, user_id: str | int | None, anonymous_id: str | None) -> dict[str, Any]:
    """analytics-python sends both ids, an absent one as null; the others leave it out."""
    if library == PYTHON:
        return {"userId": _as_sent(library, user_id), "anonymousId": anonymous_id}
    return {key: value for key, value in (("userId", user_id), ("anonymousId", anonymous_id))
            if value is not None}


def write_call(sender: Sender, kind: str, *, user_id: str | int | None,
               anonymous_id: str | None, moment: datetime, token: uuid.UUID,
               body: dict[str, Any], page: dict[str, str] | None = None,
               context_group_id: str | int | None = None) -> dict[str, Any]:
    """A `kind` call as `sender` writes it, around the call type's own fields in `body`.

    `page` is the page view of a page call; a browser puts it (or, for other calls, its current
    page) in `context.page`. Every call gets its own copies of the sender's settings, so a test
    may change one call without changing another.
    """
    library = sender.library
    call: dict[str, Any] = {"type": kind}
    if kind != "alias":  # alias names its two ids in its body
        call.update(_identity(library, user_id, anonymous_id))
    context = copy.deepcopy(sender.context)
    if library == JS:
        context["page"] = dict(page or sender.page or {})
    if context_group_id is not None:
        context["groupId"] = context_group_id
    call.update(messageId=message_id(library, token, moment),
                timestamp=write_timestamp(moment, library, sender.zone), context=context,
                integrations=copy.deepcopy(sender.integrations), **copy.deepcopy(sender.extra))
    body = {key: _as_sent(library, value) if key in _STRINGIFIED else copy.deepcopy(value)
            for key, value in body.items()}
    if kind in ("page", "screen"):
        body["properties"] = {**body.get("properties", {}), **(page or {})}
        if library == NODE and body.get("category") is not None:
            body["properties"]["category"] = body["category"]
        for key in ("name", "category"):
            if library == PYTHON:
                body.setdefault(key, None)
            elif body.get(key, "") is None:
                del body[key]
    call.update(body)
    return call
