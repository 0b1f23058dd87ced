"""From what is wrong with a batch to what the client reads and what the journal keeps.

The contract reports problems by JSON path (`$.batch[3].person_id`) and kind. Here they become
one error: 413 if anything is too large (size is the first thing a sender must fix), 501 if the
only fault is a message type Akita does not handle (Segment shows "unsupported" rather than
"invalid" for those), otherwise 400. The error lists *every* problem with the item's index and
`message_id`, and the journal gets one rejected entry per item, each with its own reasons.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from contract import AKITA_MESSAGE_TYPES, Problem
from simulator.errors import BadRequest, Conflict, PayloadTooLarge, SimulatorError, Unsupported

_ITEM_PATH = re.compile(r"^\$\.batch\[(\d+)\]")
_SHOWN = 3  # problems quoted in the one-line message; the full list is in `errors`


def _items(body: Any) -> list[Any] | None:
    batch = body.get("batch") if isinstance(body, dict) else None
    return batch if isinstance(batch, list) else None


def _text(item: Any, field: str) -> str | None:
    """A string field of an item that may be anything at all, else None."""
    value = item.get(field) if isinstance(item, dict) else None
    return value if isinstance(value, str) else None


def _summary(problems: list[Problem]) -> str:
    shown = "; ".join(str(p) for p in problems[:_SHOWN])
    more = len(problems) - _SHOWN
    return shown + (f"; and {more} more" if more > 0 else "")


def batch_error(body: Any, problems: list[Problem]) -> SimulatorError:
    """The one error for a body with `problems` (never empty): 413, 501 or 400."""
    items = _items(body) or []
    details: list[dict[str, Any]] = []
    for problem in problems:
        match = _ITEM_PATH.match(problem.path)
        detail: dict[str, Any] = {"path": problem.path, "reason": problem.reason}
        if match:
            index = int(match.group(1))
            detail = {"index": index, "message_id": _text(items[index], "message_id"), **detail}
        details.append(detail)
    too_large = [p for p in problems if p.kind == "too_large"]
    if too_large:
        return PayloadTooLarge(f"too large: {_summary(too_large)}; nothing was applied", details)
    if all(p.kind == "unsupported_type" for p in problems):
        types = sorted({_text(items[d["index"]], "type") or "" for d in details})
        return Unsupported(
            f"unsupported message type {', '.join(map(repr, types))}: Akita handles "
            f"{', '.join(AKITA_MESSAGE_TYPES)}; nothing was applied",
            details,
        )
    envelope = [p for p in problems if not _ITEM_PATH.match(p.path)]
    bad = {d["index"] for d in details if "index" in d}
    parts = [f"the body is invalid: {_summary(envelope)}"] if envelope else []
    parts += [f"{len(bad)} of {len(items)} messages are invalid"] if bad else []
    return BadRequest("; ".join([*parts, "nothing was applied"]), details)


def located_conflict(batch: list[dict[str, Any]], error: Conflict) -> Conflict:
    """The engine's 409, with each conflicting contact pointed at the first message causing it.

    The engine reports conflicts per contact; clients and the journal want per-item entries with
    a path and a reason like every other rejection, so those are added to the engine's fields.
    """
    positions = {message["message_id"]: i for i, message in enumerate(batch)}
    details = []
    for conflict in error.details:
        person, current = conflict["person_id"], conflict["organization_id"]
        others = ", ".join(map(repr, conflict["conflicting_organization_ids"]))
        reason = (f"contact {person!r} belongs to account {current!r}; strict accounts refuse "
                  f"moving it to {others}" if current is not None else
                  f"contact {person!r} would be placed in more than one account: {others}")
        found = [positions[m] for m in conflict["message_ids"] if m in positions]
        where: dict[str, Any] = {"path": "$.batch"}
        if found:
            index = min(found)
            where = {"index": index, "message_id": batch[index]["message_id"],
                     "path": f"$.batch[{index}].organization_id"}
        details.append({**where, "reason": reason, **conflict})
    return Conflict(error.message, details)


def journal_rejection(body: Any, error: SimulatorError) -> list[dict[str, Any]]:
    """One `rejected` journal entry per item of `body`, each with its own reasons.

    An item with no fault of its own is rejected too (a batch is all or nothing), and its
    reason says so. A body without items gets a single entry holding the whole body.
    """
    response = {"status": error.status, "code": error.code, "message": error.message}
    items = _items(body)
    own: dict[int, list[str]] = defaultdict(list)
    general: list[str] = []
    for detail in error.details:
        reason = f"{detail['path']}: {detail['reason']}"
        index = detail.get("index")
        (own[index] if index is not None else general).append(reason)
    if not items:
        return [_entry(body, general or [error.message], response)]
    others = f"not applied: {error.message}"
    return [_entry(item, own.get(i, []) + general or [others], response)
            for i, item in enumerate(items)]


def _entry(item: Any, reasons: list[str], response: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": "rejected",
        "type": _text(item, "type"),
        "message_id": _text(item, "message_id"),
        "person": _text(item, "person_id") or _text(item, "anonymous_id"),
        "reasons": reasons,
        "akita_message": item,
        "response": response,
    }
