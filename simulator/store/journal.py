"""The journal table: entries appended and trimmed to a cap, Segment calls attached, pages read.

Functions over an open connection, so `simulator.store.Store` decides the transaction and the
lock (a batch's messages and its journal land in one transaction) while the journal's SQL and
the encoding of its rows live here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from simulator.store.schema import dump_json

_JSON_COLUMNS = ("akita_message", "segment_call", "response")
_ATTACH_CHUNK = 500  # message ids per query, far below SQLite's limit on parameters


def _text(value: Any) -> Any:
    """A plain column's value, with any lone surrogate written as its escape (`\\ud800`)."""
    if isinstance(value, str) and not value.isascii():
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def entry_rows(workspace_id: str, entries: Iterable[dict[str, Any]], at: str,
               dump: Callable[[Any], str | None], stored: set[str]) -> list[tuple[Any, ...]]:
    """Journal entries as rows to insert; `at` is the time of any entry that has none.

    `dump` encodes the JSON columns: the store's encodes each object once, since a request's
    answer is shared by all its entries. An accepted entry whose message is in `stored` (the
    messages written with it) keeps no copy of it: `read_entries` takes it from there.
    """
    return [
        (workspace_id, entry.get("at", at), entry["status"], _text(entry.get("type")),
         _text(entry.get("message_id")), _text(entry.get("person")),
         dump_json(list(entry["reasons"])) if entry.get("reasons") else "[]",
         None if entry["status"] == "accepted" and entry.get("message_id") in stored
         else dump(entry.get("akita_message")),
         dump(entry.get("segment_call")), dump(entry.get("response")))
        for entry in entries
    ]


def append_entries(db: sqlite3.Connection, workspace_id: str, rows: list[tuple[Any, ...]],
                   cap: int, size: int | None) -> int:
    """Insert journal rows and, once they pass `cap` by `trim_slack`, delete the oldest down to
    `cap`; the workspace's new count.

    `size` is the count before, when the caller knows it (None: counted here), so trimming
    costs the entries it removes rather than a walk over `cap` of them on every write.
    """
    if size is None:
        [(size,)] = db.execute("SELECT COUNT(*) FROM journal WHERE workspace_id = ?",
                               (workspace_id,)).fetchall()
    db.executemany(
        "INSERT INTO journal (workspace_id, at, status, type, message_id, person, "
        "reasons, akita_message, segment_call, response) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    size += len(rows)
    if size > cap + trim_slack(cap):
        db.execute(
            "DELETE FROM journal WHERE id IN (SELECT id FROM journal WHERE workspace_id = ? "
            "ORDER BY id LIMIT ?)",
            (workspace_id, size - cap),
        )
        size = cap
    return size


def trim_slack(cap: int) -> int:
    """How far past its cap a journal grows before it is trimmed back to the cap: a tenth.

    Trimming on every write at the cap cost each single-message request a DELETE (a B-tree
    walk and a page rewrite); in chunks, one write in a thousand pays for a thousand.
    """
    return cap // 10


def attach_calls(db: sqlite3.Connection, workspace_id: str,
                 calls: Sequence[tuple[str, Any]]) -> list[int]:
    """Put each (message_id, Segment call) on the newest entry of that message id that has no
    call yet; the positions of the calls no such entry was found for.

    Later calls take newer entries, so a call sent twice in one batch lands on the accepted
    entry and on the duplicate one.
    """
    ids = sorted({message_id for message_id, _ in calls})
    free: dict[str, list[int]] = {}
    for start in range(0, len(ids), _ATTACH_CHUNK):
        chunk = ids[start:start + _ATTACH_CHUNK]
        rows = db.execute(
            "SELECT id, message_id FROM journal WHERE workspace_id = ? AND segment_call "
            f"IS NULL AND message_id IN ({', '.join('?' * len(chunk))}) ORDER BY id",
            (workspace_id, *chunk),
        ).fetchall()
        for entry_id, message_id in rows:
            free.setdefault(message_id, []).append(entry_id)
    updates, missing = [], []
    for position in reversed(range(len(calls))):
        message_id, call = calls[position]
        if free.get(message_id):
            updates.append((dump_json(call), free[message_id].pop()))
        else:
            missing.append(position)
    db.executemany("UPDATE journal SET segment_call = ? WHERE id = ?", updates)
    return sorted(missing)


def outcome_rows(db: sqlite3.Connection, workspace_id: str) -> list[tuple[int, str, list[str]]]:
    """(id, status, reasons) of every entry the capped journal holds, newest first."""
    rows = db.execute("SELECT id, status, reasons FROM journal WHERE workspace_id = ? "
                      "ORDER BY id DESC", (workspace_id,))
    return [(entry_id, status, _load(reasons)) for entry_id, status, reasons in rows]


def read_entries(
    db: sqlite3.Connection,
    workspace_id: str,
    *,
    status: str | None,
    types: tuple[str, ...] | None,
    person: str | None,
    message_id: str | None,
    before: int | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Entries newest first, filtered; `before` (an entry id) pages back through history.

    There is no index by status or by type (see `simulator.store.schema`): such a filter walks the
    workspace's capped journal.
    """
    clauses, params = ["workspace_id = ?"], [workspace_id]
    for column, value in (("status", status), ("person", person), ("message_id", message_id)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if types:
        clauses.append(f"type IN ({', '.join('?' for _ in types)})")
        params.extend(types)
    if before is not None:
        clauses.append("id < ?")
        params.append(before)
    # An accepted entry's message is the stored one (`entry_rows`); files from before keep
    # their own copy, which COALESCE prefers.
    rows = db.execute(
        "SELECT id, at, status, type, message_id, person, reasons, COALESCE(akita_message, "
        "(SELECT body FROM messages WHERE messages.workspace_id = journal.workspace_id AND "
        "messages.message_id = journal.message_id AND journal.status = 'accepted')), "
        f"segment_call, response FROM journal WHERE {' AND '.join(clauses)} "
        "ORDER BY id DESC LIMIT ?",
        [*params, limit],
    ).fetchall()
    keys = ("id", "at", "status", "type", "message_id", "person", "reasons", *_JSON_COLUMNS)
    return [
        {key: (_load(value) if key in ("reasons", *_JSON_COLUMNS) else value)
         for key, value in zip(keys, row, strict=True)}
        for row in rows
    ]
