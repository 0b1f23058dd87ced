"""The simulator's file format: its tables, their version, and how JSON goes into a column.

Three tables: `workspaces` (id, name, SHA-256 of the API key, created_at: keys themselves are
never stored), `messages` (every accepted Akita message, replayed to rebuild a workspace's
state after a restart, and read by the journal for its accepted entries' JSON) and `journal`
(what happened to each message and why, capped per workspace); `deliveries` came later, without
a new version. `meta` holds the schema version so a file written by a newer simulator is
refused instead of being misread. Engine checkpoints are files beside the database
(`simulator.store.checkpoints`), a cache the tables never depend on.

Kept apart from `simulator.store` so the layout a file must have is read in one place, without
the connection handling and queries that use it.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from simulator.errors import SchemaVersionError

SCHEMA_VERSION = 1
JOURNAL_STATUSES = ("accepted", "duplicate", "rejected", "skipped", "filtered", "failed")

_SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE messages (
    seq INTEGER PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    type TEXT NOT NULL,
    person TEXT,
    timestamp TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (workspace_id, message_id)
);
CREATE INDEX messages_by_workspace ON messages (workspace_id, seq);
-- No index by person: nothing reads messages that way, and one cost a random page write per
-- message (a sixth of batched ingest's CPU). Files made with it keep it, harmlessly.
CREATE TABLE journal (
    id INTEGER PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN {JOURNAL_STATUSES!r}),
    type TEXT,
    message_id TEXT,
    person TEXT,
    reasons TEXT NOT NULL,
    akita_message TEXT,
    segment_call TEXT,
    response TEXT
);
CREATE INDEX journal_by_workspace ON journal (workspace_id, id);
-- No index by status or by type: each cost every ingest an index insert and, once the cap
-- is reached, a delete (a fifth of a single message's store time). A filter walks the
-- workspace's capped journal instead: 1.5 ms for a rare status among 10,000 entries.
-- Files made with them keep them, harmlessly.
CREATE INDEX journal_by_person ON journal (workspace_id, person, id);
"""


DELIVERY_STATES = ("awaiting_retry", "delivered", "discarded")
# Added after version 1 without changing it: every open creates it when missing, and a
# simulator that predates it ignores it.
DELIVERIES = f"""
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    message_id TEXT,
    call TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN {DELIVERY_STATES!r}),
    attempts INTEGER NOT NULL,
    first_at TEXT NOT NULL,
    next_at TEXT,
    code TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_by_state ON deliveries (state, next_at);
CREATE INDEX IF NOT EXISTS deliveries_by_workspace ON deliveries (workspace_id, id)
"""


def create_missing_tables(db: sqlite3.Connection) -> None:
    """Tables added since version 1, in a file that may predate them."""
    for statement in DELIVERIES.split(";"):
        if statement.strip():
            db.execute(statement)


def is_new(db: sqlite3.Connection) -> bool:
    """Whether the database has no simulator tables yet (a new or empty file)."""
    found = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'")
    return found.fetchone() is None


def create_tables(db: sqlite3.Connection) -> None:
    """Create every table and record the version; the caller holds the write transaction, so
    a file never has tables without the version that says how to read them."""
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))


def check_version(db: sqlite3.Connection, path: str | None) -> None:
    """Refuse a file written by a newer simulator, whose tables this one would misread."""
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    found = int(row[0]) if row else 0
    if found > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"{path} was written with store schema version {found}, but this akita-sim "
            f"understands schema version {SCHEMA_VERSION} at most: upgrade akita-sim, or "
            "point --db at another file"
        )


def dump_json(value: Any) -> str | None:
    """Compact JSON, readable in the file; ASCII-escaped when the value holds a lone surrogate,
    which JSON can carry (a rejected message may) but SQLite's UTF-8 text cannot."""
    if value is None:
        return None
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":"))
    return text
