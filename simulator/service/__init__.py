"""What the fake Akita does when called: workspaces, ingest, reads, faults and keys.

    simulator      `Simulator`: the facade the web wing and the CLI drive; engines under locks
    batch_errors   the 400, 413, 501 and strict 409 bodies of a refused batch, item by item
    faults         failures a workspace is told to inject into its ingest
    keys           API keys: hashed, and matched in constant time

The service depends on the engine for the rules and on the `simulator.store.Store` protocol for
keeping them; it knows nothing of HTTP.
"""

from __future__ import annotations

from simulator.service.simulator import (
    DEFAULT_JOURNAL_CAP,
    DEFAULT_SESSION_TIMEOUT,
    JOURNAL_PAGE,
    Simulator,
)

__all__ = ["DEFAULT_JOURNAL_CAP", "DEFAULT_SESSION_TIMEOUT", "JOURNAL_PAGE", "Simulator"]
