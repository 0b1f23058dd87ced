"""What a file must be to be opened: one owner at a time, undamaged, and whole.

- One owner: `akita-sim serve`, `export` and `reset` each take an exclusive lock on
  `<file>.lock` (flock, released by the kernel when the process dies, so a SIGKILL never leaves
  a stale lock) and write their process into it, so a second one can say who holds the file.
  Two servers on one file would each answer from their own memory, and a reset through one would
  leave the other answering "duplicate" for messages the file no longer holds.
- Undamaged: `PRAGMA quick_check` when the file is opened, for at most `CHECK_SECONDS` (a large
  file is checked as far as that goes), so a garbled page is refused at start with what to do,
  not met later as 500s.
- Whole: in WAL mode the newest commits live in `<file>-wal` until a checkpoint; a file copied or
  restored without it opens as an older state, silently. The file records in its own pages
  that it is open (checkpointed at once) and that it was closed cleanly; a file marked open with
  no `-wal` beside it lost that part, and is refused.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import sys
import time

from simulator.errors import DamagedDatabase, DatabaseInUse, StoreError

CHECK_SECONDS = 2.0
_RESTORE = ("restore it with its -wal file from where it came, or move it aside to start afresh "
            "(the -wal file is part of the data)")


class FileOwner:
    """An exclusive lock on `<path>.lock` for this process, released by `release()` or death."""

    def __init__(self, path: str) -> None:
        self.path = f"{path}.lock"
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise StoreError(f"cannot take {path} for this process: {self.path}: "
                             f"{error.strerror or error}") from None
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self._fd, 300, 0).decode("utf-8", "replace").strip()
            os.close(self._fd)
            raise DatabaseInUse(f"{path} is in use by {holder or 'another process'}; one "
                                "akita-sim owns a database file at a time") from None
        command = " ".join(os.path.basename(arg) if i == 0 else arg
                           for i, arg in enumerate(sys.argv))[:200]
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, f"process {os.getpid()} ({command})\n".encode(), 0)

    def release(self) -> None:
        """Give the file up; the lock file stays (removing it would race the next owner)."""
        if self._fd < 0:
            return
        os.ftruncate(self._fd, 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = -1


def check_damage(db: sqlite3.Connection, path: str) -> None:
    """Refuse a file whose pages `PRAGMA quick_check` finds damaged (DamagedDatabase)."""
    deadline = time.monotonic() + CHECK_SECONDS
    db.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        found = [row[0] for row in db.execute("PRAGMA quick_check(5)")]
    except sqlite3.OperationalError as error:
        if "interrupt" in str(error):
            return  # checked as far as the time allows
        raise DamagedDatabase(f"{path} cannot be checked ({error}): {_RESTORE}") from error
    except sqlite3.DatabaseError as error:
        raise DamagedDatabase(f"{path} is damaged ({error}): {_RESTORE}") from error
    finally:
        db.set_progress_handler(None, 0)
    if found != ["ok"]:
        raise DamagedDatabase(f"{path} is damaged ({'; '.join(found)}): {_RESTORE}")


def mark_open(db: sqlite3.Connection, path: str, *, wal_was_there: bool) -> None:
    """Record in the file's own pages that it is open; refuse one left open without its WAL."""
    row = db.execute("SELECT value FROM meta WHERE key = 'state'").fetchone()
    if row is not None and row[0] == "open" and not wal_was_there:
        raise DamagedDatabase(
            f"{path} was not closed cleanly and its {os.path.basename(path)}-wal file is "
            f"missing, so its newest data is not here: {_RESTORE}")
    db.execute("INSERT OR REPLACE INTO meta VALUES ('state', 'open')")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def mark_closed(db: sqlite3.Connection) -> None:
    """Record a clean close; SQLite then checkpoints and removes the WAL as the file closes."""
    db.execute("INSERT OR REPLACE INTO meta VALUES ('state', 'closed')")
