"""What became of the calls a workspace received, as Segment's Event Delivery sums it up: the
journal's entries counted by outcome, failures grouped by reason, a sample of each.

The journal keeps a status a call or message; an outcome also reads the reason, which tells an
invalid call from one awaiting retry or discarded (all `failed`), and a repeat Segment's edge
dropped from one Akita already had (both `duplicate`). Reasons are grouped by what they say,
without what differs from call to call (times of the next attempt, which earlier call).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

OUTCOMES = ("delivered", "duplicate", "filtered", "skipped", "invalid", "rejected",
            "awaiting retry", "discarded")
_CODE = re.compile(r"errors\.(awaiting-retry|discarded)\.[\w-]+")
# Journal types of one kind of call: a Segment call journaled by the gateway keeps its own type
# (an invalid track is "track"), a message Akita took has Akita's ("event").
SAME_TYPE = {"track": ("event", "track"), "event": ("event", "track"),
             "identify": ("contact", "identify"), "contact": ("contact", "identify"),
             "group": ("account", "group"), "account": ("account", "group")}


def outcome_of(status: str, reasons: list[str]) -> tuple[str, str]:
    """An entry's outcome and the reason it is grouped under ('' for a delivered one)."""
    first = reasons[0] if reasons else ""
    code = _CODE.match(first)
    if status == "failed" and code:
        return ("awaiting retry" if code[1] == "awaiting-retry" else "discarded"), code[0]
    if status == "failed":
        return "invalid", first.removeprefix("invalid Segment call: ")
    if status == "duplicate":
        return "duplicate", ("a repeat Segment's edge dropped" if first.startswith("messageId")
                             else "Akita had the message_id already")
    if status == "accepted":
        return "delivered", ""
    return status, first


def summarize(rows: Iterable[tuple[int, str, list[str]]]) -> dict[str, Any]:
    """Totals per outcome, and per outcome its reasons with a count and the newest entry's id,
    most frequent first."""
    totals = dict.fromkeys(OUTCOMES, 0)
    reasons: dict[str, dict[str, list[int]]] = {}
    for entry_id, status, why in rows:
        outcome, reason = outcome_of(status, why)
        totals[outcome] += 1
        if outcome != "delivered":
            reasons.setdefault(outcome, {}).setdefault(reason, []).append(entry_id)
    grouped = {outcome: sorted(({"reason": reason, "count": len(ids), "sample": ids[0]}
                                for reason, ids in found.items()),
                               key=lambda group: (-group["count"], group["reason"]))
               for outcome, found in reasons.items()}
    return {"totals": totals, "reasons": grouped, "entries": sum(totals.values())}
