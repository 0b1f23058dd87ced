"""What Akita receives for a Segment call: one table per call type, pure functions only.

Segment guarantees neither order nor single delivery, so the mapping must be a pure function of
the call: the same call always gives the same message (and so the same `message_id`), which is
what lets Akita's de-duplication turn retries into exactly-once delivery.

    identify -> contact   userId -> person_id (required: skipped without one)
                          anonymousId -> anonymous_id
                          traits.groupId, else context.groupId -> organization_id
                          traits -> traits
    group    -> account   groupId -> organization_id; userId -> person_id;
                          anonymousId -> anonymous_id; traits -> traits
    track    -> event     userId -> person_id; anonymousId -> anonymous_id;
                          context.groupId -> organization_id; event; properties
    page     -> page      userId -> person_id; anonymousId -> anonymous_id;
                          context.groupId -> organization_id; name; category;
                          properties, with context.page's url, path, title, referrer and
                          search where the properties lack them (absent or null)
    screen   -> skipped   "Akita does not support screen calls"
    alias    -> skipped   "Akita does not support alias calls"

Every message also gets `message_id` (the call's `messageId`, else derived, below) and
`timestamp` (the call's `timestamp`, else `originalTimestamp`, else `receivedAt`, as
`2026-11-29T22:37:16.180Z`: UTC, milliseconds, so equal instants compare equal).

Edges, each decided once here:
- Ids: strings kept as they are; integers as decimal (`42` -> `"42"`); integral floats below
  1e21 as that integer (`42.0` -> `"42"`: JSON does not tell 42.0 from 42, and JavaScript's
  `String(n)` writes it so), other floats in Python's shortest round-trip form (`1.5` ->
  `"1.5"`, `1e+300`). A null, empty, boolean
  or non-scalar id is ignored as if absent (`traits.groupId` is free-form, so `{}` or `""` there
  falls back to `context.groupId`). An id longer than 255 characters, Akita's limit, skips the
  call naming the field: truncating would merge different people.
- No `messageId`: `sha256:` plus the SHA-256 of the call as canonical JSON (sorted keys,
  without `sentAt` and `receivedAt`, which change when the same call is sent again), so a
  resent call keeps its id. Two calls equal in every other field are the same call.
- No `timestamp`, `originalTimestamp` or `receivedAt`: skipped. Akita orders fields and sessions
  by time and a pure mapping cannot invent one; Segment always sets `receivedAt` before
  delivery, so only hand-written calls meet this.
- `traits` and `properties` always present (`{}` when the call has none), deep-copied so the
  message and the call never change through each other. `name` and `category` are left out
  when absent or null. `context.traits`, `integrations` and the rest of `context` are not sent.
- A mapped message over 32 KB (possible for a call near the limit: canonical timestamps and
  derived ids are longer) is skipped with its size: Akita would refuse it.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from contract.limits import MAX_MESSAGE_BYTES, encoded_size
from contract.problems import json_path
from contract.timestamps import parse_timestamp, to_wire

MAX_ID_LENGTH = 255  # Akita's `id` in contract/schemas/akita/common.json
PAGE_CONTEXT_FIELDS = ("url", "path", "title", "referrer", "search")
TIME_FIELDS = ("timestamp", "originalTimestamp", "receivedAt")
TRANSPORT_FIELDS = frozenset({"sentAt", "receivedAt"})
NO_USER_ID = ("an Akita contact needs a stable person id: identify calls without a userId are "
              "not sent (their traits would belong to nobody)")
NO_TIMESTAMP = "a call needs a timestamp, originalTimestamp or receivedAt: Akita orders by time"


@dataclass(frozen=True)
class Mapped:
    """The Akita message a call becomes; valid under `contract.validate_akita_message`."""

    message: dict[str, Any]


@dataclass(frozen=True)
class Skip:
    """A call Akita gets nothing for, why, and the call's field at fault when there is one."""

    reason: str
    path: str | None = None


# Where an Akita field's value comes from: the value, None to leave the field out, or a Skip
# to drop the whole call.
Source = Callable[[Mapping[str, Any]], Any]


class Rule:
    """How one Segment call type becomes one Akita message type: Akita field -> Source."""

    def __init__(self, akita_type: str, **fields: Source) -> None:
        self.akita_type = akita_type
        self.fields = MappingProxyType(fields)


def _at(call: Mapping[str, Any], dotted: str) -> Any:
    value: Any = call
    for key in dotted.split("."):
        # dict first: calls are parsed JSON, and an ABC check costs ten times as much
        if not isinstance(value, dict) and not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _path(dotted: str) -> str:
    return json_path(dotted.split("."))


def stringify_id(value: Any) -> str | None:
    """An id as Akita's string, or None when `value` cannot be an id (see the edges above)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, str) and value:
        return value
    return None


def ident(*paths: str, required: str | None = None) -> Source:
    """The first usable id among the dotted `paths`; a Skip with `required` when none is."""

    def pick(call: Mapping[str, Any]) -> str | Skip | None:
        for dotted in paths:
            value = stringify_id(_at(call, dotted))
            if value is None:
                continue
            if len(value) > MAX_ID_LENGTH:
                return Skip(f"is {len(value):,} characters; Akita ids are at most "
                            f"{MAX_ID_LENGTH}", _path(dotted))
            return value
        return Skip(required, _path(paths[0])) if required else None

    return pick


def value(dotted: str) -> Source:
    """The call's value at `dotted`, left out when absent or null."""
    return lambda call: _at(call, dotted)


def obj(dotted: str) -> Source:
    """The object at `dotted`, `{}` when there is none, so traits and properties always exist.

    A new top-level object, whose nested values are the call's own: a message shares them with
    its call, as nothing on either side modifies them (deep copies were a fifth of the mapping's
    cost), while a key added to the message's object never reaches the call's.
    """

    def pick(call: Mapping[str, Any]) -> dict[str, Any]:
        found = _at(call, dotted)
        return dict(found) if isinstance(found, Mapping) else {}

    return pick


def page_properties(call: Mapping[str, Any]) -> dict[str, Any]:
    """`properties`, with `context.page`'s url, path, title, referrer and search where missing."""
    properties = obj("properties")(call)
    page = _at(call, "context.page")
    if isinstance(page, Mapping):
        for key in PAGE_CONTEXT_FIELDS:
            if properties.get(key) is None and page.get(key) is not None:
                properties[key] = page[key]
    return properties


def derived_message_id(call: Mapping[str, Any]) -> str:
    """A message id for a call without one: the same call, resent, gets the same id."""
    stable = {key: item for key, item in call.items() if key not in TRANSPORT_FIELDS}
    canonical = json.dumps(stable, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def message_id(call: Mapping[str, Any]) -> str:
    """The call's `messageId` (Segment's de-duplication key), else one derived from the call."""
    given = call.get("messageId")
    return given if isinstance(given, str) and given else derived_message_id(call)


def timestamp(call: Mapping[str, Any]) -> str | Skip:
    """The first of `TIME_FIELDS` the call has, in Akita's canonical UTC form."""
    for name in TIME_FIELDS:
        if isinstance(call.get(name), str):
            return to_wire(parse_timestamp(call[name]))
    return Skip(NO_TIMESTAMP, "$.timestamp")


TABLE: Mapping[str, Rule | Skip] = MappingProxyType({
    "identify": Rule("contact",
                     person_id=ident("userId", required=NO_USER_ID),
                     anonymous_id=ident("anonymousId"),
                     organization_id=ident("traits.groupId", "context.groupId"),
                     traits=obj("traits")),
    "group": Rule("account",
                  organization_id=ident("groupId"),
                  person_id=ident("userId"),
                  anonymous_id=ident("anonymousId"),
                  traits=obj("traits")),
    "track": Rule("event",
                  person_id=ident("userId"),
                  anonymous_id=ident("anonymousId"),
                  organization_id=ident("context.groupId"),
                  event=value("event"),
                  properties=obj("properties")),
    "page": Rule("page",
                 person_id=ident("userId"),
                 anonymous_id=ident("anonymousId"),
                 organization_id=ident("context.groupId"),
                 name=value("name"),
                 category=value("category"),
                 properties=page_properties),
    "screen": Skip("Akita does not support screen calls", "$.type"),
    "alias": Skip("Akita does not support alias calls", "$.type"),
})


def map_call(call: Mapping[str, Any]) -> Mapped | Skip:
    """The Akita message for a call that passed `contract.validate_segment_call`, or a Skip.

    Raises ValueError for a call type the table does not know: validation comes first.
    """
    rule = TABLE.get(call.get("type"))  # type: ignore[arg-type]
    if rule is None:
        raise ValueError(f"not a Segment call type: {call.get('type')!r}; validate first")
    if isinstance(rule, Skip):
        return rule
    fields = {"type": rule.akita_type}
    for name, source in (*rule.fields.items(),
                         ("message_id", message_id), ("timestamp", timestamp)):
        found = source(call)
        if isinstance(found, Skip):
            return found
        if found is not None:
            fields[name] = found
    message = {key: fields.pop(key) for key in ("type", "message_id", "timestamp")} | fields
    size = encoded_size(message)
    if size > MAX_MESSAGE_BYTES:
        return Skip(f"would be {size:,} bytes as an Akita message; Akita accepts at most "
                    f"{MAX_MESSAGE_BYTES:,} (32 KB)", "$")
    return Mapped(message)
