"""How a workspace's engine is built from the store: its checkpoint, then the messages after it.

The stored messages are the truth and an engine is a cache of what they make. Replaying them
all costs seconds at a million (their JSON, then every rule), so every `CHECKPOINT_EVERY`
accepted messages the engine's state is checkpointed beside them, from a forked child, while
ingest goes on (`simulator.store.checkpoints`); when the server stops, whatever is newer is
checkpointed in process. A start then loads the checkpoint and replays only what came after
it. A checkpoint from another engine version, or one that does not load, is ignored and the
workspace replayed whole: never trusted further than the messages.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from simulator.engine import Workspace
from simulator.engine import checkpoint as engine_checkpoint
from simulator.service.interpreter import building
from simulator.store import Store

CHECKPOINT_EVERY = 50_000
log = logging.getLogger("akita_sim")


def catch_up(engine: Workspace, store: Store, workspace_id: str, *, after: int = 0,
             upto: int | None = None) -> None:
    """Apply the workspace's stored messages after position `after` (up to `upto`) to
    `engine`, strict accounts off: they were accepted under whatever mode was on then."""
    strict, engine.strict_accounts = engine.strict_accounts, False
    try:
        with building():
            for chunk in store.messages(workspace_id, after=after, upto=upto):
                engine.apply(chunk)
    finally:
        engine.strict_accounts = strict


class Checkpoints:
    """Builds engines from checkpoints and the messages after them, and writes checkpoints as
    workspaces grow; one per simulator."""

    def __init__(self, store: Store, session_timeout: timedelta, *,
                 every: int = CHECKPOINT_EVERY) -> None:
        self.store = store
        self.session_timeout = session_timeout
        self.version = engine_checkpoint.version(session_timeout)
        self.every = every
        self._lock = threading.Lock()
        self._covered: dict[str, int] = {}  # workspace -> messages its checkpoint holds
        self._writing: set[str] = set()

    def build(self, workspace_id: str, *, strict_accounts: bool = False,
              upto: int | None = None) -> Workspace:
        """The workspace's engine as of position `upto` (default: everything stored)."""
        engine, after = self._restored(workspace_id, strict_accounts, upto)
        catch_up(engine, self.store, workspace_id, after=after, upto=upto)
        return engine

    def _restored(self, workspace_id: str, strict_accounts: bool, upto: int | None
                  ) -> tuple[Workspace, int]:
        stored = self.store.checkpoint(workspace_id)
        usable = (stored is not None and stored.version == self.version
                  and (upto is None or stored.position <= upto))
        if usable:
            try:
                with building():
                    engine = engine_checkpoint.loads(
                        stored.state, session_timeout=self.session_timeout,
                        strict_accounts=strict_accounts)
            except ValueError as error:
                log.warning("workspace %s: checkpoint ignored (%s); replaying its messages",
                            workspace_id, error)
            else:
                with self._lock:
                    self._covered[workspace_id] = engine.message_count
                return engine, stored.position
        return Workspace(session_timeout=self.session_timeout,
                         strict_accounts=strict_accounts), 0

    def after_ingest(self, workspace_id: str, engine: Workspace) -> None:
        """Checkpoint in the background once `every` messages arrived since the last one; the
        caller holds the workspace's lock, so the state and the position agree."""
        with self._lock:
            if (workspace_id in self._writing
                    or engine.message_count - self._covered.get(workspace_id, 0) < self.every):
                return
            self._writing.add(workspace_id)
        count = engine.message_count

        def done(ok: bool) -> None:
            with self._lock:
                self._writing.discard(workspace_id)
                if ok:
                    self._covered[workspace_id] = max(count, self._covered.get(workspace_id, 0))
            if not ok:
                log.warning("workspace %s: background checkpoint failed; the next one retries",
                            workspace_id)

        if not self.store.save_checkpoint_forked(workspace_id, self.version,
                                                 lambda: engine_checkpoint.dumps(engine), done):
            with self._lock:
                self._writing.discard(workspace_id)
                self._covered[workspace_id] = count  # no fork here: checkpointed at stop

    def at_stop(self, engines: dict[str, Workspace]) -> None:
        """Checkpoint, in process, every engine that holds messages its checkpoint lacks; the
        caller has stopped ingest."""
        if self.store.path is None:
            return
        for workspace_id, engine in engines.items():
            with self._lock:
                stale = engine.message_count != self._covered.get(workspace_id, 0)
            if stale and engine.message_count:
                with building():
                    state = engine_checkpoint.dumps(engine)
                self.store.save_checkpoint(workspace_id, self.version, state)

    def forget(self, workspace_id: str | None = None) -> None:
        """The workspace (or every one) was reset or deleted: its checkpoint is gone too."""
        with self._lock:
            if workspace_id is None:
                self._covered.clear()
            else:
                self._covered.pop(workspace_id, None)
