"""Hypothesis strategies for both sides of the wire.

Segment calls of every type, shaped as analytics.js, analytics-python, analytics-node and a
hand-rolled HTTP client really send them; batches of them; invalid calls, each paired with the
one JSON path that makes it invalid; valid and invalid Akita messages; and, from
`journeys`, whole customer journeys. Every function returns a strategy; options are
keyword-only. The package imports Hypothesis only here and in the modules these build on:
`samples` (values), `senders` (how each library writes a call), `breakages` (one broken field
at a time) and `journeys` with `journey_plans` and `journey_steps`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from contract.generators.breakages import AKITA_BREAKS, SEGMENT_BREAKS, broken
from contract.generators.journeys import Journey, journeys
from contract.generators.samples import (
    HTTP,
    JS,
    LIBRARIES,
    NODE,
    PYTHON,
    account_ids,
    account_traits,
    anonymous_ids,
    custom_fields,
    emails,
    event_names,
    event_properties,
    moments,
    names,
    page_views,
    person_traits,
    timestamps,
    user_ids,
)
from contract.generators.senders import message_id, senders, write_call
from contract.timestamps import to_wire
from contract.validation import AKITA_MESSAGE_TYPES, SEGMENT_CALL_TYPES

__all__ = [
    "LIBRARIES",
    "Journey",
    "akita_messages",
    "aliases",
    "emails",
    "groups",
    "identifies",
    "invalid_akita_messages",
    "invalid_segment_calls",
    "journeys",
    "names",
    "pages",
    "screens",
    "segment_batches",
    "segment_calls",
    "timestamps",
    "tracks",
]

Call = dict[str, Any]
_SCREEN_LIBRARIES = (PYTHON, NODE, HTTP)  # analytics.js has no screen call
_PAGE_NAMES = (None, "Pricing", "Docs", "الأسعار", "料金")
_SCREEN_NAMES = (None, "Home", "Settings", "設定", "הגדרות")
_CATEGORIES = (None, "Marketing", "Docs", "設定")


def _libraries_for(kind: str, libraries: Sequence[str]) -> tuple[str, ...]:
    unknown = set(libraries) - set(LIBRARIES)
    if unknown:
        raise InvalidArgument(f"unknown libraries {sorted(unknown)}; choose from {LIBRARIES}")
    allowed = tuple(lib for lib in libraries if kind != "screen" or lib in _SCREEN_LIBRARIES)
    if not allowed:
        raise InvalidArgument(f"none of {list(libraries)} sends a {kind} call")
    return allowed


@st.composite
def _identities(draw: st.DrawFn, library: str) -> tuple[str | int | None, str | None]:
    """A userId, an anonymousId, or both; a browser always has an anonymousId."""
    choices = ("anonymous", "both") if library == JS else ("user", "anonymous", "both")
    who = draw(st.sampled_from(choices))
    user_id = None if who == "anonymous" else draw(user_ids(numeric=library == HTTP))
    return user_id, None if who == "user" else draw(anonymous_ids())


@st.composite
def _bodies(draw: st.DrawFn, kind: str, library: str) -> Call:
    """The fields only a `kind` call has."""
    numeric = library == HTTP
    if kind == "identify":
        traits = draw(person_traits())
        if draw(st.booleans()):  # Akita's advice: place the contact before its group call
            traits["groupId"] = draw(account_ids(numeric=numeric))
        return {"traits": traits}
    if kind == "group":
        return {"groupId": draw(account_ids(numeric=numeric)), "traits": draw(account_traits())}
    if kind == "track":
        return {"event": draw(event_names()), "properties": draw(event_properties())}
    if kind == "alias":
        return {"userId": draw(user_ids(numeric=numeric)),
                "previousId": draw(anonymous_ids() | user_ids(numeric=numeric))}
    return {"name": draw(st.sampled_from(_PAGE_NAMES if kind == "page" else _SCREEN_NAMES)),
            "category": draw(st.sampled_from(_CATEGORIES)), "properties": draw(custom_fields())}


@st.composite
def _segment_calls(draw: st.DrawFn, kind: str, libraries: tuple[str, ...]) -> Call:
    sender = draw(senders(libraries=libraries))
    library = sender.library
    user_id, anonymous_id = (None, None) if kind == "alias" else draw(_identities(library))
    placed = kind not in ("group", "alias") and draw(st.booleans())
    return write_call(
        sender, kind, user_id=user_id, anonymous_id=anonymous_id, moment=draw(moments()),
        token=draw(st.uuids(version=4)), body=draw(_bodies(kind, library)),
        page=draw(page_views()) if kind == "page" else None,
        context_group_id=draw(account_ids(numeric=library == HTTP)) if placed else None,
    )


def _strategy(kind: str, libraries: Sequence[str]) -> st.SearchStrategy[Call]:
    return _segment_calls(kind, _libraries_for(kind, libraries))


def identifies(*, libraries: Sequence[str] = LIBRARIES) -> st.SearchStrategy[Call]:
    """identify calls: reserved and invented traits, nested, sometimes the `groupId` trait or
    `context.groupId` that places the contact in an account."""
    return _strategy("identify", libraries)


def groups(*, libraries: Sequence[str] = LIBRARIES) -> st.SearchStrategy[Call]:
    """group calls: a groupId (a string, or a number from a hand-rolled client), company traits."""
    return _strategy("group", libraries)


def tracks(*, libraries: Sequence[str] = LIBRARIES) -> st.SearchStrategy[Call]:
    """track calls: event names in several scripts, revenue, products and invented properties."""
    return _strategy("track", libraries)


def pages(*, libraries: Sequence[str] = LIBRARIES) -> st.SearchStrategy[Call]:
    """page calls: name and category (or none), the page view in properties and `context.page`."""
    return _strategy("page", libraries)


def screens(*, libraries: Sequence[str] = _SCREEN_LIBRARIES) -> st.SearchStrategy[Call]:
    """screen calls (which Akita does not support): a screen name or none, invented properties."""
    return _strategy("screen", libraries)


def aliases(*, libraries: Sequence[str] = LIBRARIES) -> st.SearchStrategy[Call]:
    """alias calls (which Akita does not support): a userId and the previousId it replaces."""
    return _strategy("alias", libraries)


def segment_calls(*, types: Sequence[str] = SEGMENT_CALL_TYPES,
                  libraries: Sequence[str] = LIBRARIES) -> st.SearchStrategy[Call]:
    """Valid Segment calls of any of `types`, from any of `libraries` that sends that type."""
    if not types or set(types) - set(SEGMENT_CALL_TYPES):
        raise InvalidArgument(f"types must be some of {SEGMENT_CALL_TYPES}, not {list(types)}")
    return st.one_of([_strategy(kind, libraries) for kind in types])


def segment_batches(*, min_size: int = 1, max_size: int = 10,
                    types: Sequence[str] = SEGMENT_CALL_TYPES) -> st.SearchStrategy[Call]:
    """Valid `POST /v1/batch` bodies: calls with distinct messageIds, and the `sentAt`,
    `writeKey`, `context` and `integrations` a library may add around them."""
    return st.fixed_dictionaries(
        {"batch": st.lists(segment_calls(types=types), min_size=min_size, max_size=max_size,
                           unique_by=lambda call: call["messageId"])},
        optional={"sentAt": timestamps(), "writeKey": st.sampled_from(("wk_3bX9", "test key")),
                  "context": st.just({"library": {"name": "analytics-python", "version": "2.4.0"}}),
                  "integrations": st.just({"All": True})},
    )


def invalid_segment_calls(*, types: Sequence[str] = SEGMENT_CALL_TYPES
                          ) -> st.SearchStrategy[tuple[Call, str]]:
    """(call, path) pairs: a valid call of one of `types` with exactly one field broken, and the
    JSON path (`$.userId`, `$.context.groupId`, `$.timestamp`...) a validator must name. Every
    problem is of kind "invalid": unknown type names and oversize calls are left to other tests."""
    return broken(SEGMENT_BREAKS, lambda kinds: segment_calls(types=kinds), types)


@st.composite
def _akita_messages(draw: st.DrawFn, kind: str) -> Call:
    moment = draw(moments())
    library = draw(st.sampled_from(LIBRARIES))  # whose messageId the destination passed on
    message: Call = {
        "type": kind,
        "message_id": message_id(library, draw(st.uuids(version=4)), moment),
        "timestamp": draw(st.sampled_from((to_wire(moment), moment.isoformat()))),
    }
    who = {"contact": ("person", "both"), "account": ("nobody", "person", "anonymous", "both")}
    acting = draw(st.sampled_from(who.get(kind, ("person", "anonymous", "both"))))
    if acting in ("person", "both"):
        message["person_id"] = draw(user_ids())
    if acting in ("anonymous", "both"):
        message["anonymous_id"] = draw(anonymous_ids())
    if kind == "account" or draw(st.booleans()):
        message["organization_id"] = draw(account_ids())
    if kind == "event":
        message["event"] = draw(event_names())
    if kind == "page":
        message.update(name=draw(st.sampled_from(_PAGE_NAMES)),
                       category=draw(st.sampled_from(_CATEGORIES)))
    extra = {"contact": ("traits", person_traits()), "account": ("traits", account_traits())}
    field, values = extra.get(kind, ("properties", event_properties()))
    if draw(st.booleans()):
        message[field] = draw(values)
    return message


def akita_messages(*, types: Sequence[str] = AKITA_MESSAGE_TYPES) -> st.SearchStrategy[Call]:
    """Valid Akita wire messages of `types`: UTC timestamps (`Z` with milliseconds, or
    `+00:00`), a person, a visitor or both, an organization where known, traits or properties."""
    if not types or set(types) - set(AKITA_MESSAGE_TYPES):
        raise InvalidArgument(f"types must be some of {AKITA_MESSAGE_TYPES}, not {list(types)}")
    return st.one_of([_akita_messages(kind) for kind in types])


def invalid_akita_messages(*, types: Sequence[str] = AKITA_MESSAGE_TYPES
                           ) -> st.SearchStrategy[tuple[Call, str]]:
    """(message, path) pairs: a valid Akita message with exactly one field broken (a local
    offset, a missing person, a Segment field that leaked through the mapping...) and the JSON
    path a validator must name."""
    return broken(AKITA_BREAKS, lambda kinds: akita_messages(types=kinds), types)
