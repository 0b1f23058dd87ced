"""The simulator's rules engine: one workspace's state, built from Akita messages, in memory.

Pure Python with no web framework and no storage: the service feeds it accepted messages (and
replays stored ones on start) and renders what it returns. See `Workspace` for the rules and the
shape of its views.
"""

from __future__ import annotations

from simulator.engine.clock import format_instant, parse_instant
from simulator.engine.sessions import Timeline, session_spans
from simulator.engine.workspace import ApplyResult, Workspace

__all__ = [
    "ApplyResult",
    "Timeline",
    "Workspace",
    "format_instant",
    "parse_instant",
    "session_spans",
]
