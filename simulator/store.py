"""SQLite store: the durable truth behind the simulator; engine state is rebuilt from it.

Three tables: `workspaces` (id, name, SHA-256 of the API key, created_at: keys themselves are
never stored), `messages` (every accepted Akita message, replayed to rebuild a workspace's
state after a restart) and `journal` (what happened to each message and why, capped per
workspace). `meta` holds the schema version so a file written by a newer simulator is refused
instead of being misread.

Concurrency: one connection guarded by one lock, opened with `check_same_thread=False`. An
in-memory database exists only inside its connection, so a connection per thread could not
share it; and SQLite allows one writer at a time anyway, so a single connection costs nothing
in write throughput while making every method trivially atomic. Files use WAL with
`synchronous=NORMAL`: a committed transaction is in the WAL before `commit` returns, so it
survives the process being killed (only an OS crash could lose the last few), and readers in
other processes (`akita-sim export`) never block the server. `synchronous=OFF` would save no
time per commit (NORMAL syncs only at checkpoints) and could corrupt the file in an OS crash.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from contract.timestamps import parse_timestamp, to_wire
from simulator.errors import SimulatorError

SCHEMA_VERSION = 1
JOURNAL_STATUSES = ("accepted", "duplicate", "rejected", "skipped", "filtered", "failed")
_REPLAY_CHUNK = 10_000
_ATTACH_CHUNK = 500  # message ids per query, far below SQLite's limit on parameters

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

_JOURNAL_JSON = ("akita_message", "segment_call", "response")
# The form destinations send (contract.timestamps.to_wire); validated messages in it are stored
# as they are, since parsing and re-writing a million of them costs seconds for nothing.
_CANONICAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


class StoreError(SimulatorError):
    """The database cannot be used: not SQLite, unreadable, or from another version."""

    code = "store_error"
    message = "the simulator's database cannot be used"


class SchemaVersionError(StoreError):
    """The file was written by a newer simulator whose tables this one would misread."""

    code = "schema_too_new"


def _now() -> str:
    return to_wire(datetime.now(UTC))


def _dump(value: Any) -> str | None:
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


def _text(value: Any) -> Any:
    """A plain column's value, with any lone surrogate written as its escape (`\\ud800`)."""
    if isinstance(value, str) and not value.isascii():
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _stored_timestamp(text: str) -> str:
    """A validated timestamp in the canonical form, so that stored ones sort as instants."""
    return text if _CANONICAL.fullmatch(text) else to_wire(parse_timestamp(text))


def person_of(message: dict[str, Any]) -> str | None:
    """Whom a message is about: its person, else its anonymous visitor (the journal's filter)."""
    return message.get("person_id") or message.get("anonymous_id")


class Store:
    """The simulator's SQLite database; `path=None` keeps it in memory (tests)."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path
        self._lock = threading.RLock()
        # Journal entries per workspace, counted once and then kept up to date, so trimming to
        # the cap costs the entries it removes rather than a walk over `cap` of them on every
        # write (that walk was half the CPU of a single-message request). Only this process's
        # writes are counted: another writing the same file at once would skew the trim.
        self._journal_sizes: dict[str, int] = {}
        target = path if path is not None else ":memory:"
        try:
            self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as error:
            raise StoreError(f"cannot open database {target}: {error}") from error
        try:
            self._prepare()
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise StoreError(f"{target} is not a usable simulator database: {error}") from error
        except StoreError:
            self._db.close()
            raise

    def _prepare(self) -> None:
        self._db.execute("PRAGMA busy_timeout = 5000")
        if self.path is not None:
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            # Checkpoints are where NORMAL syncs, and they ran inside a request every 4 MB of
            # WAL; at 40 MB each copies an index page once for many rewrites of it, which
            # halved the system time of batched ingest. A 64 MB page cache keeps the message
            # and journal indexes of a million-message file in memory.
            self._db.execute("PRAGMA wal_autocheckpoint = 10000")
            self._db.execute("PRAGMA cache_size = -65536")
        has_meta = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        ).fetchone()
        if not has_meta:
            with self._transaction() as db:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            return
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        found = int(row[0]) if row else 0
        if found > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"{self.path} was written with store schema version {found}, but this akita-sim "
                f"understands schema version {SCHEMA_VERSION} at most: upgrade akita-sim, or "
                "point --db at another file"
            )

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction under the lock; committed before the caller answers anyone."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _read(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    def close(self) -> None:
        """Close the connection; the file (if any) keeps everything committed."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- workspaces -------------------------------------------------------------------------

    def add_workspace(self, workspace_id: str, name: str, key_hash: str) -> dict[str, Any]:
        """Record a new workspace; the caller hashes the key so it never reaches the file."""
        created_at = _now()
        with self._transaction() as db:
            db.execute(
                "INSERT INTO workspaces (id, name, key_hash, created_at) VALUES (?, ?, ?, ?)",
                (workspace_id, name, key_hash, created_at),
            )
        return {"id": workspace_id, "name": name, "created_at": created_at}

    def workspaces(self, workspace_id: str | None = None) -> list[dict[str, Any]]:
        """Every workspace (or the one named), oldest first, without its key hash."""
        where, params = ("WHERE id = ?", (workspace_id,)) if workspace_id else ("", ())
        rows = self._read(
            f"SELECT id, name, created_at FROM workspaces {where} ORDER BY created_at, rowid",
            params,
        )
        return [{"id": i, "name": n, "created_at": c} for i, n, c in rows]

    def key_hashes(self) -> dict[str, str]:
        """key hash -> workspace id, loaded once by the service to authenticate requests."""
        return dict(self._read("SELECT key_hash, id FROM workspaces"))

    # -- messages ---------------------------------------------------------------------------

    def messages(self, workspace_id: str) -> Iterator[list[dict[str, Any]]]:
        """Accepted messages in acceptance order, in chunks so a million never sit in one list."""
        last = 0
        while True:
            rows = self._read(
                "SELECT seq, body FROM messages WHERE workspace_id = ? AND seq > ? "
                "ORDER BY seq LIMIT ?",
                (workspace_id, last, _REPLAY_CHUNK),
            )
            if not rows:
                return
            last = rows[-1][0]
            yield [json.loads(body) for _, body in rows]

    def message(self, workspace_id: str, message_id: str) -> dict[str, Any] | None:
        """One accepted message by id: a single lookup in the (workspace, message_id) index."""
        rows = self._read(
            "SELECT body FROM messages WHERE workspace_id = ? AND message_id = ?",
            (workspace_id, message_id),
        )
        return json.loads(rows[0][0]) if rows else None

    # -- writes -----------------------------------------------------------------------------

    def write(
        self,
        workspace_id: str,
        *,
        messages: Iterable[dict[str, Any]] = (),
        journal: Iterable[dict[str, Any]] = (),
        journal_cap: int,
    ) -> None:
        """Store accepted messages and journal entries in one transaction, then trim the journal.

        One transaction per request means a batch and its journal land together or not at all.
        """
        encoded: dict[int, str | None] = {}

        def dump(value: Any) -> str | None:
            # An accepted message is in both lists, and one answer is shared by every entry of
            # a request: encode each object once. The caller holds them all, so ids are stable.
            key = id(value)
            if key not in encoded:
                encoded[key] = _dump(value)
            return encoded[key]

        message_rows = [
            (workspace_id, m["message_id"], m["type"], person_of(m),
             _stored_timestamp(m["timestamp"]), dump(m))
            for m in messages
        ]
        at = _now()
        journal_rows = [
            (workspace_id, entry.get("at", at), entry["status"], _text(entry.get("type")),
             _text(entry.get("message_id")), _text(entry.get("person")),
             _dump(list(entry["reasons"])) if entry.get("reasons") else "[]",
             *(dump(entry.get(name)) for name in _JOURNAL_JSON))
            for entry in journal
        ]
        with self._lock:
            with self._transaction() as db:
                db.executemany(
                    "INSERT INTO messages (workspace_id, message_id, type, person, timestamp, "
                    "body) VALUES (?, ?, ?, ?, ?, ?)",
                    message_rows,
                )
                size = self._append_journal(db, workspace_id, journal_rows, journal_cap)
            self._journal_sizes[workspace_id] = size  # committed: the count may be kept

    def _append_journal(self, db: sqlite3.Connection, workspace_id: str,
                        rows: list[tuple[Any, ...]], cap: int) -> int:
        """Insert journal rows, delete the oldest beyond `cap`; the workspace's new count."""
        size = self._journal_sizes.pop(workspace_id, None)  # re-counted if this write fails
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
        if size > cap:
            db.execute(
                "DELETE FROM journal WHERE id IN (SELECT id FROM journal WHERE workspace_id = ? "
                "ORDER BY id LIMIT ?)",
                (workspace_id, size - cap),
            )
            size = cap
        return size

    def clear(self, workspace_id: str | None = None) -> None:
        """Forget messages and journal of one workspace (or all); workspaces and keys remain."""
        where, params = ("WHERE workspace_id = ?", (workspace_id,)) if workspace_id else ("", ())
        with self._lock, self._transaction() as db:
            db.execute(f"DELETE FROM messages {where}", params)
            db.execute(f"DELETE FROM journal {where}", params)
            self._journal_sizes.clear()  # counted again on next write

    def attach_segment_calls(self, workspace_id: str,
                             calls: Sequence[tuple[str, Any]]) -> list[int]:
        """Put each (message_id, Segment call) on the newest journal entry of that message id
        that has no call yet; the positions of the calls no such entry was found for.

        The Segment gateway delivers through ingest, which journals Akita messages alone; this
        lets an entry show the call it came from. Later calls take newer entries, so a call
        sent twice in one batch lands on the accepted entry and on the duplicate one.
        """
        ids = sorted({message_id for message_id, _ in calls})
        free: dict[str, list[int]] = {}
        with self._transaction() as db:
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
                    updates.append((_dump(call), free[message_id].pop()))
                else:
                    missing.append(position)
            db.executemany("UPDATE journal SET segment_call = ? WHERE id = ?", updates)
        return sorted(missing)

    # -- journal ----------------------------------------------------------------------------

    def journal(
        self,
        workspace_id: str,
        *,
        status: str | None = None,
        type: str | None = None,
        person: str | None = None,
        before: int | None = None,
        limit: int,
    ) -> list[dict[str, Any]]:
        """Journal entries, newest first; `before` (an entry id) pages back through history."""
        clauses, params = ["workspace_id = ?"], [workspace_id]
        for column, value in (("status", status), ("type", type), ("person", person)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if before is not None:
            clauses.append("id < ?")
            params.append(before)
        rows = self._read(
            "SELECT id, at, status, type, message_id, person, reasons, akita_message, "
            f"segment_call, response FROM journal WHERE {' AND '.join(clauses)} "
            "ORDER BY id DESC LIMIT ?",
            [*params, limit],
        )
        keys = ("id", "at", "status", "type", "message_id", "person", "reasons", *_JOURNAL_JSON)
        return [
            {key: (_load(value) if key in ("reasons", *_JOURNAL_JSON) else value)
             for key, value in zip(keys, row, strict=True)}
            for row in rows
        ]
