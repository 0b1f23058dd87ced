"""SQLite store: the durable truth behind the simulator; engine state is rebuilt from it.

The tables and their version are in `simulator.store.schema`, the journal's queries in
`simulator.store.journal`; this module holds the connection, its transactions, and the workspaces
and messages tables.

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
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import Any

from contract.timestamps import parse_timestamp, to_wire
from simulator.errors import DamagedDatabase, StoreError
from simulator.store import checkpoints, deliveries
from simulator.store.integrity import FileOwner, check_damage, mark_closed, mark_open
from simulator.store.journal import (
    append_entries,
    attach_calls,
    entry_rows,
    outcome_rows,
    read_entries,
)
from simulator.store.schema import (
    check_version,
    create_missing_tables,
    create_tables,
    dump_json,
    is_new,
)

_REPLAY_CHUNK = 10_000
WORKSPACE_TABLES = ("messages", "journal", "deliveries")  # what clearing empties
MAX_POSITION = 2**63 - 1  # SQLite's largest rowid
# The form destinations send (contract.timestamps.to_wire); validated messages in it are stored
# as they are, since parsing and re-writing a million of them costs seconds for nothing.
_CANONICAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


def _now() -> str:
    return to_wire(datetime.now(UTC))


def _stored_timestamp(text: str) -> str:
    """A validated timestamp in the canonical form, so that stored ones sort as instants."""
    return text if _CANONICAL.fullmatch(text) else to_wire(parse_timestamp(text))


def person_of(message: dict[str, Any]) -> str | None:
    """Whom a message is about: its person, else its anonymous visitor (the journal's filter)."""
    return message.get("person_id") or message.get("anonymous_id")


class SQLiteStore:
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
        self._closed = False
        self._owner = FileOwner(path) if path is not None else None
        wal_was_there = path is not None and os.path.exists(f"{path}-wal")
        try:
            self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as error:
            self._release()
            raise StoreError(f"cannot open database {target}: {error}") from error
        try:
            self._prepare(wal_was_there)
        except sqlite3.DatabaseError as error:
            self._db.close()
            self._release()
            raise DamagedDatabase(f"{target} is not a usable simulator database ({error}): "
                                  "point --db at an akita-sim file, or move this one aside"
                                  ) from error
        except StoreError:
            self._db.close()
            self._release()
            raise

    def _release(self) -> None:
        if self._owner is not None:
            self._owner.release()

    def _prepare(self, wal_was_there: bool) -> None:
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
        if is_new(self._db):
            with self._transaction() as db:
                create_tables(db)
        elif self.path is not None:
            check_damage(self._db, self.path)
            check_version(self._db, self.path)
        with self._transaction() as db:
            create_missing_tables(db)
        if self.path is not None:
            mark_open(self._db, self.path, wal_was_there=wal_was_there)

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
        """Close the connection cleanly, then give the file up; it keeps everything committed."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self.path is not None:
                with suppress(sqlite3.Error):  # a full disk: the file stays marked open
                    mark_closed(self._db)
            self._db.close()
            self._release()

    def __enter__(self) -> SQLiteStore:
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

    def messages(self, workspace_id: str, *, after: int = 0, upto: int | None = None
                 ) -> Iterator[list[dict[str, Any]]]:
        """Accepted messages in acceptance order, after position `after` and up to `upto`, in
        chunks so a million never sit in one list."""
        last, end = after, upto if upto is not None else MAX_POSITION
        while True:
            rows = self._read(
                "SELECT seq, body FROM messages WHERE workspace_id = ? AND seq > ? AND seq <= ? "
                "ORDER BY seq LIMIT ?",
                (workspace_id, last, end, _REPLAY_CHUNK),
            )
            if not rows:
                return
            last = rows[-1][0]
            yield [json.loads(body) for _, body in rows]

    def position(self, workspace_id: str) -> int:
        """Where the workspace's accepted messages end (0 for none): later ones come after it."""
        rows = self._read("SELECT max(seq) FROM messages WHERE workspace_id = ?", (workspace_id,))
        return rows[0][0] or 0

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
                encoded[key] = dump_json(value)
            return encoded[key]

        message_rows = [
            (workspace_id, m["message_id"], m["type"], person_of(m),
             _stored_timestamp(m["timestamp"]), dump(m))
            for m in messages
        ]
        # An accepted entry's message is the one stored in this write: the journal reads its
        # JSON from the messages table, so it is written once.
        stored = {row[1] for row in message_rows}
        journal_rows = entry_rows(workspace_id, journal, _now(), dump, stored)
        with self._lock:
            with self._transaction() as db:
                db.executemany(
                    "INSERT INTO messages (workspace_id, message_id, type, person, timestamp, "
                    "body) VALUES (?, ?, ?, ?, ?, ?)",
                    message_rows,
                )
                known = self._journal_sizes.pop(workspace_id, None)  # re-counted if this fails
                size = append_entries(db, workspace_id, journal_rows, journal_cap, known)
            self._journal_sizes[workspace_id] = size  # committed: the count may be kept

    def clear(self, workspace_id: str | None = None) -> None:
        """Forget messages, journal and delivery queue of one workspace (or all); workspaces
        and keys remain."""
        where, params = ("WHERE workspace_id = ?", (workspace_id,)) if workspace_id else ("", ())
        with self._lock, self._transaction() as db:
            for table in WORKSPACE_TABLES:
                db.execute(f"DELETE FROM {table} {where}", params)
            self._journal_sizes.clear()  # counted again on next write
        self._forget_checkpoints(workspace_id)

    def delete_workspace(self, workspace_id: str) -> None:
        """Remove a workspace with everything it holds, its key included."""
        with self._lock, self._transaction() as db:
            for table in WORKSPACE_TABLES:
                db.execute(f"DELETE FROM {table} WHERE workspace_id = ?", (workspace_id,))
            db.execute("DELETE FROM workspaces WHERE id = ?", (workspace_id,))
            self._journal_sizes.pop(workspace_id, None)
        self._forget_checkpoints(workspace_id)

    def _forget_checkpoints(self, workspace_id: str | None) -> None:
        """Checkpoints of cleared workspaces could never load (their messages are gone): the
        files go too."""
        if self.path is not None:
            checkpoints.remove(checkpoints.folder_of(self.path), workspace_id)

    def attach_segment_calls(self, workspace_id: str,
                             calls: Sequence[tuple[str, Any]]) -> list[int]:
        """Put each (message_id, Segment call) on the newest journal entry of that message id
        that has no call yet; the positions of the calls no such entry was found for.

        The Segment gateway delivers through ingest, which journals Akita messages alone; this
        lets an entry show the call it came from.
        """
        with self._transaction() as db:
            return attach_calls(db, workspace_id, calls)

    # -- the local Segment's delivery queue -------------------------------------------------

    def queue_deliveries(self, workspace_id: str, items: Sequence[dict[str, Any]]) -> list[int]:
        """Queue calls whose first delivery must be retried (`simulator.store.deliveries`)."""
        with self._transaction() as db:
            return deliveries.add(db, workspace_id, items, dump_json)

    def waiting_deliveries(self, *, due_by: str | None = None, workspace_id: str | None = None,
                           limit: int = 500) -> list[dict[str, Any]]:
        """Queued calls awaiting retry, oldest first; only those due by `due_by` if given."""
        with self._lock:
            return deliveries.waiting(self._db, due_by=due_by, workspace_id=workspace_id,
                                      limit=limit)

    def settle_delivery(self, delivery_id: int, **result: Any) -> None:
        """Record an attempt's result (state, attempts, next_at, code, reason)."""
        with self._transaction() as db:
            deliveries.settle(db, delivery_id, **result)

    def delivery_summary(self, workspace_id: str, *, limit: int = 100) -> dict[str, Any]:
        """Totals per state and code, and the calls awaiting retry."""
        with self._lock:
            return deliveries.summary(self._db, workspace_id, limit=limit)

    # -- engine checkpoints (`simulator.store.checkpoints`) ----------------------------------

    def _mark(self, workspace_id: str) -> checkpoints.Mark | None:
        rows = self._read("SELECT seq, message_id FROM messages WHERE workspace_id = ? "
                          "ORDER BY seq DESC LIMIT 1", (workspace_id,))
        return checkpoints.Mark(*rows[0]) if rows else None

    def checkpoint(self, workspace_id: str) -> checkpoints.Checkpoint | None:
        """The workspace's engine checkpoint, or None: none, unreadable, or its last message
        is no longer stored where it was (the workspace was reset since)."""
        if self.path is None:
            return None
        found = checkpoints.read(checkpoints.folder_of(self.path), workspace_id)
        if found is None:
            return None
        rows = self._read("SELECT 1 FROM messages WHERE seq = ? AND workspace_id = ? AND "
                          "message_id = ?", (found.position, workspace_id, found.message_id))
        return found if rows else None

    def save_checkpoint(self, workspace_id: str, version: str, state: bytes) -> None:
        """Store an engine checkpoint of the state up to the last stored message, now, in this
        process (when the server stops)."""
        at = self._mark(workspace_id)
        if self.path is not None and at is not None:
            checkpoints.save(checkpoints.folder_of(self.path), workspace_id, version, at, state)

    def save_checkpoint_forked(self, workspace_id: str, version: str,
                               state: Callable[[], bytes], done: Callable[[bool], None]
                               ) -> bool:
        """Store an engine checkpoint of the state up to the last stored message from a
        forked child (`simulator.store.checkpoints`), the caller holding the workspace's lock;
        False when this store cannot (in memory, or no fork here): checkpoint at stop."""
        if self.path is None or not checkpoints.CAN_FORK:
            return False
        at = self._mark(workspace_id)
        if at is None:
            return False
        checkpoints.write_forked(checkpoints.folder_of(self.path), workspace_id, version, at,
                                 state, done)
        return True

    # -- journal ----------------------------------------------------------------------------

    def journal(
        self,
        workspace_id: str,
        *,
        status: str | None = None,
        types: tuple[str, ...] | None = None,
        person: str | None = None,
        message_id: str | None = None,
        before: int | None = None,
        limit: int,
    ) -> list[dict[str, Any]]:
        """Journal entries, newest first; `before` (an entry id) pages back through history."""
        with self._lock:
            return read_entries(self._db, workspace_id, status=status, types=types,
                                person=person, message_id=message_id, before=before,
                                limit=limit)

    def journal_outcomes(self, workspace_id: str) -> list[tuple[int, str, list[str]]]:
        """(id, status, reasons) of every entry the journal holds, newest first."""
        with self._lock:
            return outcome_rows(self._db, workspace_id)
