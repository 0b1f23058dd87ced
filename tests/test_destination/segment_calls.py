"""Small local strategies for valid Segment calls, until `contract.generators` covers them.

They lean toward the edges the mapping decides: numeric and null ids, `groupId` traits of every
JSON type, timestamps in any offset or missing, `context.page` overlapping `properties`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

JSON_SCALARS = st.none() | st.booleans() | st.integers(-(2**53), 2**53) \
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12)
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=8)
OBJECTS = st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=4)
IDS = st.text(min_size=1, max_size=20) | st.integers(-(2**63), 2**63) \
    | st.floats(allow_nan=False, allow_infinity=False)


@st.composite
def timestamps(draw: st.DrawFn) -> str:
    """ISO 8601 with Z or an offset, zero to six fraction digits."""
    moment = draw(st.datetimes(datetime(1000, 1, 2), datetime(9999, 12, 30)))
    offset = timedelta(minutes=draw(st.integers(-14 * 60, 14 * 60)))
    local = moment.replace(tzinfo=UTC).astimezone(timezone(offset))
    digits = draw(st.sampled_from([0, 3, 6]))
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    if digits:
        text += f".{local.microsecond:06d}"[: digits + 1]
    zone = "Z" if not offset and draw(st.booleans()) else local.strftime("%z")
    return text + zone[:3] + ":" + zone[3:] if zone != "Z" else text + zone


def _maybe(draw: st.DrawFn, call: dict[str, Any], key: str, strategy: Any) -> None:
    if draw(st.booleans()):
        call[key] = draw(strategy)


@st.composite
def segment_calls(draw: st.DrawFn, types: tuple[str, ...] = ("identify", "group", "track",
                                                           "page", "screen", "alias")) -> dict:
    """A valid Segment call of one of `types`."""
    kind = draw(st.sampled_from(types))
    call: dict[str, Any] = {"type": kind}
    if kind == "alias":
        call["userId"], call["previousId"] = draw(IDS), draw(IDS)
    else:
        person = draw(st.sampled_from(["user", "anonymous", "both"]))
        call["userId"] = draw(IDS) if person != "anonymous" else draw(st.none())
        call["anonymousId"] = draw(IDS) if person != "user" else draw(st.none())
        for key in ("userId", "anonymousId"):
            if call[key] is None and draw(st.booleans()):
                del call[key]
    if kind in ("identify", "group"):
        traits = draw(OBJECTS)
        if draw(st.booleans()):
            traits["groupId"] = draw(IDS | JSON_VALUES)
        _maybe(draw, call, "traits", st.just(traits))
    if kind == "group":
        call["groupId"] = draw(IDS)
    if kind == "track":
        call["event"] = draw(st.text(min_size=1, max_size=20))
    if kind in ("track", "page", "screen"):
        _maybe(draw, call, "properties", OBJECTS)
    if kind in ("page", "screen"):
        _maybe(draw, call, "name", st.none() | st.text(max_size=10))
        _maybe(draw, call, "category", st.none() | st.text(max_size=10))
    context: dict[str, Any] = {}
    _maybe(draw, context, "groupId", IDS)
    _maybe(draw, context, "page", st.fixed_dictionaries(
        {}, optional={key: st.none() | st.text(max_size=10)
                      for key in ("url", "path", "title", "referrer", "search")}))
    _maybe(draw, call, "context", st.just(context))
    for key in ("timestamp", "originalTimestamp", "receivedAt", "sentAt"):
        _maybe(draw, call, key, timestamps())
    _maybe(draw, call, "messageId", st.text(min_size=1, max_size=100))
    return call
