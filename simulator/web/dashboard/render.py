"""Helpers the dashboard's templates call: JSON text, time axes, paging links, placing calls.

Templates stay declarative: anything that computes (positions on a timeline, the next page's
URL, the call that would place a pending contact) is done here, in Python, and tested.
Nothing here marks text as safe: every value reaches the page through Jinja's autoescape.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import request, url_for

from contract.timestamps import to_wire
from simulator.engine import parse_instant
from simulator.web.dashboard.security import CSRF_FIELD, csrf_token

AXIS = 1000  # SVG user units across a timeline
MIN_BAR = 4  # a one-message session still gets a visible bar
SHORT = 120  # characters of a value shown before "show all"
PLACEHOLDER_ACCOUNT = "ACCOUNT_ID"


def pretty(value: Any) -> str:
    """JSON as people read it: indented, non-ASCII kept as written (names in any script)."""
    return json.dumps(value, indent=2, ensure_ascii=False)


def as_text(value: Any) -> str:
    """A trait or property value as one line: strings as they are, the rest as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def split_reason(reason: str) -> tuple[str | None, str]:
    """'$.batch[0].person_id: is required' -> ('$.batch[0].person_id', 'is required')."""
    path, sep, rest = reason.partition(": ")
    return (path, rest) if sep and path.startswith("$") else (None, reason)


def page_url(**changes: Any) -> str:
    """This page's URL with some query arguments changed (None drops one): pager links."""
    args = {**request.args.to_dict(), **changes}
    args = {key: value for key, value in args.items() if value is not None}
    return url_for(request.endpoint or "", **(request.view_args or {}), **args)


@dataclass(frozen=True)
class Pager:
    """Where a page sits in a list of `total` items shown `per_page` at a time (page from 1)."""

    page: int
    per_page: int
    total: int

    @property
    def offset(self) -> int:
        """Index of the page's first item."""
        return (self.page - 1) * self.per_page

    @property
    def pages(self) -> int:
        """How many pages the list has (at least one, so an empty list still has a page)."""
        return max(1, math.ceil(self.total / self.per_page))


@dataclass(frozen=True)
class Mark:
    """An event or page inside a session's lane, at `x` along the axis."""

    x: float
    kind: str
    label: str
    timestamp: str


@dataclass(frozen=True)
class Lane:
    """A session: its bar on the shared time axis and its items along its own lane."""

    session: dict[str, Any]
    x: float
    width: float
    marks: list[Mark]


def duration(milliseconds: int) -> str:
    """A session's length as people say it: '0 s', '4 min 12 s', '2 h 5 min'."""
    seconds = milliseconds // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def counted(number: int, noun: str) -> str:
    """'1 event', '2 events', '1,200 pages': counts as sentences say them."""
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def item_label(item: dict[str, Any]) -> str:
    """What a timeline item is called: the event's name, or the page's name."""
    if item["type"] == "event":
        return item["event"]
    return item.get("name") or "(unnamed page)"


def timeline(sessions: list[dict[str, Any]], *, items_per_lane: int) -> list[Lane]:
    """Sessions laid out on one axis from the first start to the last end, and each session's
    first `items_per_lane` items on its own lane from its start to its end."""
    if not sessions:
        return []
    starts = [parse_instant(session["start"]) for session in sessions]
    ends = [parse_instant(session["end"]) for session in sessions]
    low = min(starts)
    span = max(max(ends) - low, 1)
    lanes = []
    for session, start, end in zip(sessions, starts, ends, strict=True):
        width = max((end - start) / span * AXIS, MIN_BAR)
        x = min((start - low) / span * AXIS, AXIS - width)
        marks = [
            Mark(
                x=(parse_instant(item["timestamp"]) - start) / (end - start) * AXIS
                if end > start else AXIS / 2,
                kind=item["type"],
                label=item_label(item),
                timestamp=item["timestamp"],
            )
            for item in session["items"][:items_per_lane]
        ]
        lanes.append(Lane(session, x, width, marks))
    return lanes


def placing_calls(person_id: str, organization_id: str | None = None) -> list[tuple[str, dict]]:
    """Segment calls, ready to paste, that would place a pending contact in an account.

    `organization_id` is the account to suggest (one its events already name), else a
    placeholder to replace. Both calls carry a timestamp: the mapping needs one.
    """
    account = organization_id or PLACEHOLDER_ACCOUNT
    now = to_wire(datetime.now(UTC))
    return [
        ("a group call", {"type": "group", "userId": person_id, "groupId": account,
                          "traits": {}, "timestamp": now}),
        ("an identify call with a groupId trait",
         {"type": "identify", "userId": person_id, "traits": {"groupId": account},
          "timestamp": now}),
    ]


def named_account(contact: dict[str, Any]) -> str | None:
    """The account named by the latest of a pending contact's events and pages in the sessions
    at hand (a page of them), if any: the likely one to place it in."""
    items = [item for session in contact["sessions"] for item in session["items"]]
    return next((i["organization_id"] for i in reversed(items) if i["organization_id"]), None)


def template_helpers() -> dict[str, Any]:
    """What every dashboard template can call (a Blueprint context processor)."""
    return {
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token,
        "pretty": pretty,
        "as_text": as_text,
        "split_reason": split_reason,
        "page_url": page_url,
        "duration": duration,
        "counted": counted,
        "short": SHORT,
        "axis": AXIS,
    }
