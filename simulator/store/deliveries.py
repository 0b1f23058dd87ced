"""The local Segment's delivery queue: calls waiting to be retried, and how each one ended.

Functions over an open connection, like `journal`: `SQLiteStore` decides the transaction. A row
is a Segment call (as Segment hands it on, never with a key) whose first delivery met a
retryable answer: it waits (`awaiting_retry`, with its attempts and next attempt), then ends
`delivered` or `discarded`, with Segment's error code (`errors.awaiting-retry.503`,
`errors.discarded.400`, ...) and the reason in words.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

_COLUMNS = ("id", "workspace_id", "message_id", "call", "state", "attempts", "first_at",
            "next_at", "code", "reason")


def _row(values: tuple[Any, ...]) -> dict[str, Any]:
    row = dict(zip(_COLUMNS, values, strict=True))
    row["call"] = json.loads(row["call"])
    return row


def add(db: sqlite3.Connection, workspace_id: str, items: Iterable[dict[str, Any]],
        dump: Any) -> list[int]:
    """Queue items (message_id, call, attempts, first_at, next_at, code, reason); their ids."""
    ids = []
    for item in items:
        cursor = db.execute(
            "INSERT INTO deliveries (workspace_id, message_id, call, state, attempts, first_at, "
            "next_at, code, reason) VALUES (?, ?, ?, 'awaiting_retry', ?, ?, ?, ?, ?)",
            (workspace_id, item["message_id"], dump(item["call"]), item["attempts"],
             item["first_at"], item["next_at"], item["code"], item["reason"]))
        ids.append(cursor.lastrowid)
    return ids


def waiting(db: sqlite3.Connection, *, due_by: str | None, workspace_id: str | None,
            limit: int) -> list[dict[str, Any]]:
    """Rows awaiting retry, oldest first: those due by `due_by`, or all when it is None."""
    where, params = ["state = 'awaiting_retry'"], []
    if due_by is not None:
        where.append("next_at <= ?")
        params.append(due_by)
    if workspace_id is not None:
        where.append("workspace_id = ?")
        params.append(workspace_id)
    rows = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM deliveries WHERE "
                      f"{' AND '.join(where)} ORDER BY id LIMIT ?", (*params, limit))
    return [_row(values) for values in rows]


def settle(db: sqlite3.Connection, delivery_id: int, *, state: str, attempts: int,
           next_at: str | None, code: str, reason: str) -> None:
    """Record an attempt's result on a row."""
    db.execute("UPDATE deliveries SET state = ?, attempts = ?, next_at = ?, code = ?, "
               "reason = ? WHERE id = ?", (state, attempts, next_at, code, reason, delivery_id))


def summary(db: sqlite3.Connection, workspace_id: str, *, limit: int) -> dict[str, Any]:
    """A workspace's queue: rows awaiting retry (oldest first, up to `limit`) and totals per
    state and code, as Event Delivery groups them."""
    totals: dict[str, dict[str, int]] = {"awaiting_retry": {}, "delivered": {}, "discarded": {}}
    for state, code, count in db.execute(
            "SELECT state, code, count(*) FROM deliveries WHERE workspace_id = ? "
            "GROUP BY state, code ORDER BY state, code", (workspace_id,)):
        totals[state][code] = count
    awaiting = waiting(db, due_by=None, workspace_id=workspace_id, limit=limit)
    return {"totals": totals, "awaiting_retry": awaiting}
