"""Where a workspace is kept: the `Store` protocol the service depends on, and its backends.

    protocol   the surface the service needs (`Store`)
    sqlite     `SQLiteStore`, the embedded default: WAL, one connection, one lock
    schema     the tables, their version, and what a file must hold to be opened
    journal    the journal's rows: append, trim to the cap, attach Segment calls, read
    deliveries the local Segment's delivery queue: calls awaiting retry, and how each ended
    checkpoints engine checkpoints, files beside the database, written from a forked child
"""

from __future__ import annotations

from simulator.store.protocol import Store
from simulator.store.schema import JOURNAL_STATUSES
from simulator.store.sqlite import SQLiteStore, person_of

__all__ = ["JOURNAL_STATUSES", "SQLiteStore", "Store", "person_of"]
