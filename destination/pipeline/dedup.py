"""Segment's edge de-duplication: a `messageId` seen within the window is dropped.

Segment de-duplicates by `messageId` alone, over every event it receives (not per source or
workspace), in a sliding window of at least 24 hours, before any destination's filter: a call
kept from Akita by `integrations` still uses up its id. A destination never sees the repeat.
`EdgeDeduplicator` keeps, per id, when it was first seen and where, so a repeat can say which
earlier call it repeats; ids older than the window are forgotten in arrival order.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

DEFAULT_WINDOW = timedelta(hours=24)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class FirstSeen:
    """Where and when a messageId was first received."""

    at: datetime
    where: str

    def describe(self, message_id: str) -> str:
        """The reason a repeat of this id is dropped."""
        return (f"messageId {message_id!r} was received before ({self.where}, at "
                f"{self.at.isoformat(timespec='milliseconds')}): Segment drops the repeat "
                "at its edge")


class EdgeDeduplicator:
    """Message ids seen within `window`, shared by every source of one local Segment.

    Each id is kept as (UTC microseconds, where) rather than a `FirstSeen`: an archive read by
    `akita-map` may hold millions of ids inside one window, and the compact form halves what
    each costs.
    """

    def __init__(self, window: timedelta = DEFAULT_WINDOW) -> None:
        if window <= timedelta(0):
            raise ValueError(f"the de-duplication window must be positive, not {window}")
        self.window = window
        self._window = window // _MICROSECOND
        self._seen: OrderedDict[str, tuple[int, str]] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, message_id: str, at: datetime, where: str) -> FirstSeen | None:
        """The earlier sighting when `message_id` is a repeat within the window; otherwise
        None, and this sighting is remembered."""
        now = (at - _EPOCH) // _MICROSECOND
        with self._lock:
            self._forget_before(now - self._window)
            earlier = self._seen.get(message_id)
            if earlier is not None:
                return FirstSeen(_EPOCH + earlier[0] * _MICROSECOND, earlier[1])
            self._seen[message_id] = (now, where)
            return None

    def _forget_before(self, horizon: int) -> None:
        seen = self._seen
        while seen:
            oldest = next(iter(seen.values()))
            if oldest[0] >= horizon:
                return
            seen.popitem(last=False)
