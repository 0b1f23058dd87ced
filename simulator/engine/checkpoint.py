"""A workspace's state as bytes, so that a restart loads it instead of replaying every message.

Replaying a million stored messages takes seconds (parsing their JSON and applying every rule);
loading the state they made takes a fraction of that. A checkpoint is only a cache: the stored
messages stay the truth, and a checkpoint that cannot be trusted is ignored. It is trusted only
by the engine that wrote it, so its version names everything the bytes depend on: the engine's
own source (any change to a record or a rule makes a new version), the Python version (pickle
of the same classes differs between them) and the session timeout the state was built with.
"""

from __future__ import annotations

import hashlib
import pickle
import platform
from datetime import timedelta
from functools import cache
from pathlib import Path

from simulator.engine.clock import duration_to_micros
from simulator.engine.workspace import Workspace


@cache
def _engine_digest() -> str:
    """SHA-256 of the engine package's source, read once per process."""
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def version(session_timeout: timedelta) -> str:
    """The version a checkpoint of a workspace with this session timeout carries."""
    return (f"engine {_engine_digest()}; python {platform.python_version()}; "
            f"session timeout {duration_to_micros(session_timeout)} us")


def dumps(workspace: Workspace) -> bytes:
    """The workspace's state (strict accounts aside: a mode of the server, not state)."""
    return pickle.dumps(workspace._state, protocol=pickle.HIGHEST_PROTOCOL)


def loads(blob: bytes, *, session_timeout: timedelta, strict_accounts: bool) -> Workspace:
    """A workspace from `dumps` bytes of the same version (the caller compares versions).

    Raises ValueError when the bytes are not such a state, whatever is wrong with them.
    """
    workspace = Workspace(session_timeout=session_timeout, strict_accounts=strict_accounts)
    try:
        state = pickle.loads(blob)  # written by this engine into the simulator's own file
    except Exception as error:  # a truncated or foreign blob may raise almost anything
        raise ValueError(f"not a checkpoint of this engine: {error}") from None
    if type(state) is not type(workspace._state) or state.timeout != workspace._timeout:
        raise ValueError("not a checkpoint of this engine's state")
    workspace._state = state
    return workspace
