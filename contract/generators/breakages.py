"""How to break a valid message at exactly one JSON path, on both sides of the wire.

An invalid message is only useful to a test if it is known *where* it is wrong: a validator that
rejects it for another reason, or names another field, is itself wrong. So every Break takes a
valid message and spoils one field in one way the real world produces (an empty id, a timestamp
without an offset, traits sent as a string, a field Akita does not know), and names the path a
validator must report.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from hypothesis import strategies as st

from contract.generators.samples import HTTP, ZONES, moments, user_ids, write_timestamp
from contract.problems import json_path

Message = dict[str, Any]

NOT_IDS = st.sampled_from(("", True, False, [], ["user_1"], {}, {"id": "user_1"}))
NOT_OBJECTS = st.sampled_from(("", "plan=pro", [], [["plan", "pro"]], 0, True, None))
NOT_TEXTS = st.sampled_from((0, 3.5, True, [], {"title": "Home"}))
NOT_EVENTS = st.sampled_from(("", None, 42, ["Signed Up"]))
NOT_TYPES = st.sampled_from((None, 1, ["track"], {"type": "track"}))  # unknown *strings* are 501s
NOT_MESSAGE_IDS = st.sampled_from(("", None, 42, ["id"])) | st.text(min_size=101, max_size=140)


@st.composite
def not_timestamps(draw: st.DrawFn) -> Any:
    """Timestamps a user can act on: no offset (Python's naive isoformat), a date alone, a space
    for the T, epoch milliseconds, impossible dates, one that leaves years 1-9999 in UTC."""
    moment = draw(moments())
    epoch_ms = int(moment.timestamp() * 1000)
    return draw(st.sampled_from((
        moment.replace(tzinfo=None).isoformat(), moment.strftime("%Y-%m-%d"),
        moment.strftime("%Y-%m-%d %H:%M:%SZ"), moment.strftime("%d/%m/%Y %H:%M"),
        str(epoch_ms), epoch_ms, "yesterday", "", None, "2026-13-01T00:00:00Z",
        "2026-02-30T12:00:00Z", "0001-01-01T00:00:00+01:00",
    )))


@st.composite
def local_timestamps(draw: st.DrawFn) -> str:
    """Valid ISO 8601 with an offset other than zero: fine for Segment, not UTC for Akita."""
    zone = draw(st.sampled_from([zone for zone in ZONES if zone != timedelta(0)]))
    return write_timestamp(draw(moments()), HTTP, zone)


@dataclass(frozen=True)
class Break:
    """Spoil the field at `parts` of a `types` message with one of `values`, or, when
    `removable`, by leaving it out. `prepare` first makes any other change the break needs to
    stay about this one field (a userId can only be missing once the anonymousId is gone too)."""

    parts: tuple[str, ...]
    types: tuple[str, ...]
    values: st.SearchStrategy[Any]
    removable: bool = False
    prepare: Callable[[st.DrawFn, Message], None] | None = None

    @property
    def path(self) -> str:
        """The JSON path a validator must name, as contract.problems writes it."""
        return json_path(self.parts)

    def apply(self, draw: st.DrawFn, message: Message) -> None:
        """Break `message` in place."""
        if self.prepare is not None:
            self.prepare(draw, message)
        *parents, leaf = self.parts
        for name in parents:
            message = message.setdefault(name, {})
        if self.removable and draw(st.booleans()):
            message.pop(leaf, None)
        else:  # a copy, so no two broken messages share a mutable value
            message[leaf] = copy.deepcopy(draw(self.values))


@st.composite
def broken(draw: st.DrawFn, breaks: Sequence[Break],
           valid: Callable[[Sequence[str]], st.SearchStrategy[Message]],
           types: Sequence[str]) -> tuple[Message, str]:
    """A valid message of one of `types`, drawn from `valid(types)`, broken by one of `breaks`,
    with the path of the break."""
    chosen = draw(st.sampled_from([b for b in breaks if set(b.types) & set(types)]))
    message = copy.deepcopy(draw(valid([kind for kind in types if kind in chosen.types])))
    chosen.apply(draw, message)
    return message, chosen.path


def _without_anonymous_id(draw: st.DrawFn, call: Message) -> None:
    """Take the anonymousId away, as analytics-python does (null) or as the others do (absent)."""
    if "anonymousId" in call:
        if draw(st.booleans()):
            call["anonymousId"] = None
        else:
            del call["anonymousId"]


def _with_user_id(draw: st.DrawFn, call: Message) -> None:
    """Make sure a userId identifies the call, so a bad anonymousId is its only fault."""
    if call.get("userId") is None:
        call["userId"] = draw(user_ids())


def _without_akita_anonymous_id(draw: st.DrawFn, message: Message) -> None:
    """Without an anonymous_id, a missing person_id leaves no one who acted."""
    message.pop("anonymous_id", None)


_EVERY_CALL = ("identify", "group", "track", "page", "screen", "alias")
_IDENTIFIED = ("identify", "group", "track", "page", "screen")
_BAD_OR_NULL_ID = st.none() | NOT_IDS

SEGMENT_BREAKS = (
    Break(("type",), _EVERY_CALL, NOT_TYPES, removable=True),
    Break(("userId",), _EVERY_CALL, _BAD_OR_NULL_ID, removable=True, prepare=_without_anonymous_id),
    Break(("anonymousId",), _IDENTIFIED, NOT_IDS, prepare=_with_user_id),
    Break(("previousId",), ("alias",), _BAD_OR_NULL_ID, removable=True),
    Break(("groupId",), ("group",), _BAD_OR_NULL_ID, removable=True),
    Break(("event",), ("track",), NOT_EVENTS, removable=True),
    Break(("traits",), ("identify", "group"), NOT_OBJECTS),
    Break(("properties",), ("track", "page", "screen"), NOT_OBJECTS),
    Break(("name",), ("page", "screen"), NOT_TEXTS),
    Break(("category",), ("page", "screen"), NOT_TEXTS),
    Break(("messageId",), _EVERY_CALL, NOT_MESSAGE_IDS),
    *(Break((field,), _EVERY_CALL, not_timestamps())
      for field in ("timestamp", "originalTimestamp", "sentAt", "receivedAt")),
    Break(("version",), _EVERY_CALL, st.sampled_from((True, None, [], {"major": 1}))),
    Break(("channel",), _EVERY_CALL, st.sampled_from((1, True, None, ["server"]))),
    Break(("context",), _EVERY_CALL, NOT_OBJECTS),
    Break(("context", "groupId"), _EVERY_CALL, _BAD_OR_NULL_ID),
    Break(("context", "traits"), _EVERY_CALL, NOT_OBJECTS),
    Break(("context", "channel"), _EVERY_CALL, st.sampled_from((1, False, ["web"]))),
    *(Break(("context", "page", field), _EVERY_CALL, NOT_TEXTS)
      for field in ("path", "referrer", "search", "title", "url")),
    Break(("integrations",), _EVERY_CALL, NOT_OBJECTS),
    Break(("integrations", "Google Analytics"), _EVERY_CALL, st.sampled_from(("yes", 1, None, []))),
)

_EVERY_MESSAGE = ("contact", "account", "event", "page")
_NOT_AKITA_IDS = st.sampled_from(("", None, 42, ["p1"])) | st.text(min_size=256, max_size=300)

AKITA_BREAKS = (
    Break(("type",), _EVERY_MESSAGE, NOT_TYPES, removable=True),
    Break(("message_id",), _EVERY_MESSAGE, NOT_MESSAGE_IDS, removable=True),
    Break(("timestamp",), _EVERY_MESSAGE, not_timestamps() | local_timestamps(), removable=True),
    Break(("person_id",), ("contact", "event", "page"), _NOT_AKITA_IDS, removable=True,
          prepare=_without_akita_anonymous_id),
    Break(("person_id",), ("account",), _NOT_AKITA_IDS),
    Break(("anonymous_id",), _EVERY_MESSAGE, _NOT_AKITA_IDS),
    Break(("organization_id",), ("account",), _NOT_AKITA_IDS, removable=True),
    Break(("organization_id",), ("contact", "event", "page"), _NOT_AKITA_IDS),
    Break(("event",), ("event",), NOT_EVENTS, removable=True),
    Break(("traits",), ("contact", "account"), NOT_OBJECTS),
    Break(("properties",), ("event", "page"), NOT_OBJECTS),
    Break(("name",), ("page",), NOT_TEXTS),
    Break(("category",), ("page",), NOT_TEXTS),
    # Segment's own fields leaking through a mapping: Akita knows none of them.
    Break(("userId",), _EVERY_MESSAGE, user_ids()),
    Break(("context",), _EVERY_MESSAGE, st.just({"library": {"name": "analytics.js"}})),
    Break(("traits",), ("event", "page"), st.just({"plan": "pro"})),
    Break(("properties",), ("contact", "account"), st.just({"plan": "pro"})),
)
