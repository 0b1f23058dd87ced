"""Sessions: runs of events and page views with no gap as long as the session timeout.

A gap of `timeout` or more starts a new session (the rule Segment's and Amplitude's session
tracking use). Sessions depend only on the set of instants, so a late message can extend a
session or join two into one. `Timeline` keeps them up to date per message in O(log n) (plus a
C-level list insert); `session_spans` computes them from scratch and is the reference the
incremental version is tested against.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.engine.records import Item

# 30 minutes of inactivity ends a session: Segment's and Amplitude's session tracking, GA4,
# Heap, PostHog and Gainsight PX all use it; Akita publishes no rule of its own.
DEFAULT_SESSION_TIMEOUT = timedelta(minutes=30)


def session_spans(instants: Iterable[int], timeout: int) -> list[tuple[int, int]]:
    """(start, end) of each session over sorted `instants`; a gap >= `timeout` splits them."""
    spans: list[tuple[int, int]] = []
    start = end = None
    for instant in instants:
        if end is None:
            start = end = instant
        elif instant - end >= timeout:
            spans.append((start, end))
            start = end = instant
        else:
            end = instant
    if end is not None:
        spans.append((start, end))
    return spans


class Timeline:
    """One actor's events and pages, sorted by (instant, message_id), with their sessions."""

    __slots__ = ("_timeout", "ends", "events", "items", "starts")

    def __init__(self, timeout: int) -> None:
        self._timeout = timeout
        self.items: list[Item] = []
        self.starts: list[int] = []  # session i spans starts[i]..ends[i], both inclusive
        self.ends: list[int] = []
        self.events = 0

    @property
    def pages(self) -> int:
        """How many page views the timeline holds."""
        return len(self.items) - self.events

    def add(self, item: Item) -> None:
        """Insert one item and extend, create or merge the sessions around it."""
        insort(self.items, item)
        if item.kind == "event":
            self.events += 1
        at, timeout, starts, ends = item.at, self._timeout, self.starts, self.ends
        before = bisect_right(starts, at) - 1
        if before >= 0 and at <= ends[before]:
            return
        joins_before = before >= 0 and at - ends[before] < timeout
        after = before + 1
        joins_after = after < len(starts) and starts[after] - at < timeout
        if joins_before and joins_after:
            ends[before] = ends[after]
            del starts[after], ends[after]
        elif joins_before:
            ends[before] = at
        elif joins_after:
            starts[after] = at
        else:
            starts.insert(after, at)
            ends.insert(after, at)

    def add_many(self, items: list[Item]) -> None:
        """Insert a visitor's whole history at once (stitching): merge, then recompute."""
        self.items = sorted(self.items + items)
        self.events += sum(1 for item in items if item.kind == "event")
        self._recompute()

    def remove(self, message_ids: set[str]) -> None:
        """Take items out (a visitor re-stitched to someone else): sessions may split."""
        self.items = [item for item in self.items if item.message_id not in message_ids]
        self.events = sum(1 for item in self.items if item.kind == "event")
        self._recompute()

    def spans(self) -> list[tuple[int, int]]:
        """(start, end) of each session, earliest first."""
        return list(zip(self.starts, self.ends, strict=True))

    def between(self, start: int, end: int) -> list[Item]:
        """The items of the session spanning start..end."""
        items = self.items
        return items[bisect_left(items, (start,)) : bisect_left(items, (end + 1,))]

    def _recompute(self) -> None:
        spans = session_spans((item.at for item in self.items), self._timeout)
        self.starts = [start for start, _ in spans]
        self.ends = [end for _, end in spans]
