"""What the service needs of the place it keeps a workspace's data: the `Store` protocol.

The service depends on this surface alone, so a second backend (another database, a remote
store) is a new module beside `sqlite`, not a change to the service. A store is the durable
truth: the service's engines are caches rebuilt from `messages()`, and whatever `write()`
returned from is committed, surviving a crash of the process.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol


class Store(Protocol):
    """Workspaces, their accepted messages and their journal, kept durably."""

    path: str | None

    def close(self) -> None:
        """Release the store; everything committed stays."""

    def add_workspace(self, workspace_id: str, name: str, key_hash: str) -> dict[str, Any]:
        """Record a new workspace (id, name, created_at); the key arrives already hashed."""

    def workspaces(self, workspace_id: str | None = None) -> list[dict[str, Any]]:
        """Every workspace, or the one named, oldest first, never with its key hash."""

    def key_hashes(self) -> dict[str, str]:
        """key hash -> workspace id, for authenticating requests."""

    def messages(self, workspace_id: str, *, after: int = 0, upto: int | None = None
                 ) -> Iterator[list[dict[str, Any]]]:
        """Accepted messages in acceptance order, in chunks: what a workspace is rebuilt from.
        Only those after position `after`, and up to `upto` when given."""

    def position(self, workspace_id: str) -> int:
        """Where the accepted messages end now; each later message has a greater position."""

    def message(self, workspace_id: str, message_id: str) -> dict[str, Any] | None:
        """One accepted message by id, or None."""

    def write(self, workspace_id: str, *, messages: Iterable[dict[str, Any]] = (),
              journal: Iterable[dict[str, Any]] = (), journal_cap: int) -> None:
        """Commit accepted messages and journal entries together, then trim the journal."""

    def clear(self, workspace_id: str | None = None) -> None:
        """Forget the messages and journal of one workspace, or of all; keys stay."""

    def delete_workspace(self, workspace_id: str) -> None:
        """Remove a workspace with everything it holds, its key included."""

    def attach_segment_calls(self, workspace_id: str,
                             calls: Sequence[tuple[str, Any]]) -> list[int]:
        """Attach (message_id, Segment call) pairs to journal entries; positions not found."""

    def queue_deliveries(self, workspace_id: str, items: Sequence[dict[str, Any]]) -> list[int]:
        """Queue Segment calls whose delivery must be retried; their ids."""

    def waiting_deliveries(self, *, due_by: str | None = None, workspace_id: str | None = None,
                           limit: int = 500) -> list[dict[str, Any]]:
        """Queued calls awaiting retry, oldest first; only those due by `due_by` if given."""

    def settle_delivery(self, delivery_id: int, **result: Any) -> None:
        """Record an attempt's result: state, attempts, next_at, code, reason."""

    def delivery_summary(self, workspace_id: str, *, limit: int = 100) -> dict[str, Any]:
        """Totals per state and code, and the calls awaiting retry."""

    def journal(self, workspace_id: str, *, status: str | None = None,
                types: tuple[str, ...] | None = None, person: str | None = None,
                message_id: str | None = None, before: int | None = None,
                limit: int) -> list[dict[str, Any]]:
        """Journal entries, newest first, filtered; `before` pages back."""

    def checkpoint(self, workspace_id: str) -> Any:
        """The workspace's engine checkpoint (version, position, state), or None."""

    def save_checkpoint(self, workspace_id: str, version: str, state: bytes) -> None:
        """Store a checkpoint of the state up to the last stored message."""

    def save_checkpoint_forked(self, workspace_id: str, version: str, state: Any,
                               done: Any) -> bool:
        """Store a checkpoint from a child process, without stopping this one; False when the
        store cannot."""

    def journal_outcomes(self, workspace_id: str) -> list[tuple[int, str, list[str]]]:
        """(id, status, reasons) of every entry the journal holds, newest first."""
