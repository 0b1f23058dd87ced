"""Engine checkpoints: a workspace's state as of a message position, beside the messages.

One row per workspace (the newest replaces the last): its version, the position and id of the
last message it includes, and the state's bytes. A checkpoint whose last message is no longer
stored at its position (the workspace was reset, even while the checkpoint was being written)
is never saved or loaded. Written in a child process forked from the server
(`write_forked`): the fork copies the state as it is, in the few milliseconds the fork takes,
and the child pickles and writes it while the server goes on ingesting, the way Redis saves in
the background; the child opens its own connection, as a forked one must never be used. Where
processes cannot fork, checkpoints are written only when the server stops.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from typing import NamedTuple

DDL = """
CREATE TABLE IF NOT EXISTS checkpoints (
    workspace_id TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    position INTEGER NOT NULL,
    last_message TEXT NOT NULL,
    written_at TEXT NOT NULL,
    state BLOB NOT NULL
)
"""
CAN_FORK = hasattr(os, "fork")


class Checkpoint(NamedTuple):
    """A stored checkpoint: which engine wrote it, up to which message, and the state."""

    version: str
    position: int
    state: bytes


class Mark(NamedTuple):
    """Where a workspace's stored messages end: the last one's position and id."""

    position: int
    message_id: str


def mark(db: sqlite3.Connection, workspace_id: str) -> Mark | None:
    """The workspace's last stored message, or None when it has none."""
    row = db.execute("SELECT seq, message_id FROM messages WHERE workspace_id = ? "
                     "ORDER BY seq DESC LIMIT 1", (workspace_id,)).fetchone()
    return Mark(*row) if row else None


_STILL_THERE = ("EXISTS (SELECT 1 FROM messages WHERE seq = ? AND workspace_id = ? "
                "AND message_id = ?)")


def save(db: sqlite3.Connection, workspace_id: str, version: str, at: Mark,
         state: bytes) -> None:
    """Replace the workspace's checkpoint with one of the state up to `at`, unless the stored
    one is newer or `at` is no longer stored (the workspace was reset meanwhile)."""
    db.execute(
        "INSERT INTO checkpoints (workspace_id, version, position, last_message, written_at, "
        f"state) SELECT ?, ?, ?, ?, ?, ? WHERE {_STILL_THERE} "
        "ON CONFLICT (workspace_id) DO UPDATE SET version = excluded.version, "
        "position = excluded.position, last_message = excluded.last_message, "
        "written_at = excluded.written_at, state = excluded.state "
        "WHERE excluded.position >= checkpoints.position "
        "OR excluded.version != checkpoints.version",
        (workspace_id, version, at.position, at.message_id, datetime.now(UTC).isoformat(),
         state, at.position, workspace_id, at.message_id))


def load(db: sqlite3.Connection, workspace_id: str) -> Checkpoint | None:
    """The workspace's checkpoint, or None (none, or its last message is gone)."""
    row = db.execute(
        "SELECT version, position, state FROM checkpoints WHERE workspace_id = ? AND EXISTS "
        "(SELECT 1 FROM messages WHERE seq = checkpoints.position AND workspace_id = ? "
        "AND message_id = checkpoints.last_message)", (workspace_id, workspace_id)).fetchone()
    return Checkpoint(row[0], row[1], bytes(row[2])) if row else None


def write_forked(path: str, workspace_id: str, version: str, at: Mark,
                 state: Callable[[], bytes], done: Callable[[bool], None]) -> int:
    """Fork a child that computes `state()` and saves it; `done(ok)` is called in this process
    once the child has ended. Returns the child's pid.

    The caller holds every lock that guards the state and the database connection, so that no
    other thread is half way through changing either when the child is made.
    """
    with warnings.catch_warnings():  # the child runs only the code below, then _exit
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: nothing here may return into the server's code
        status = 1
        try:
            import gc

            gc.disable()
            blob = state()
            with sqlite3.connect(path, timeout=30, isolation_level=None) as db:
                db.execute("BEGIN IMMEDIATE")
                save(db, workspace_id, version, at, blob)
                db.execute("COMMIT")
            status = 0
        finally:
            os._exit(status)

    def reap() -> None:
        _, code = os.waitpid(pid, 0)
        done(os.waitstatus_to_exitcode(code) == 0)

    threading.Thread(target=reap, name=f"checkpoint-{workspace_id}", daemon=True).start()
    return pid
