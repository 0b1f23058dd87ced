"""Read-only lookups of a workspace's state: what the control API, dashboard and CLI show.

`StateReads` is a base of `simulator.service.Simulator`, which supplies the store, the engine
of a workspace under its lock (`_state`) and the NotFound for an unknown workspace
(`_lock_for`). These lookups only pass the engine's (or the store's) answers on, so they live
apart from the service's rules for creating workspaces and changing their state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from simulator.engine import Workspace
from simulator.errors import NotFound
from simulator.store import Store


def _found(found: dict[str, Any] | None, what: str, key: str, workspace_id: str
           ) -> dict[str, Any]:
    """`found`, or NotFound naming what was asked for: how every lookup by id ends."""
    if found is None:
        raise NotFound(f"no {what} {key!r} in workspace {workspace_id}")
    return found


class StateReads:
    """Contacts, accounts, visitors, sessions, pages and counts of a workspace, and messages."""

    store: Store
    _state: Callable[[str], AbstractContextManager[Workspace]]
    _lock_for: Callable[[str], threading.Lock]

    def contacts(self, workspace_id: str) -> list[dict[str, Any]]:
        """Every contact."""
        with self._state(workspace_id) as engine:
            return engine.contacts()

    def contact(self, workspace_id: str, person_id: str) -> dict[str, Any]:
        """One contact with account, traits, account history and sessions."""
        with self._state(workspace_id) as engine:
            return _found(engine.contact(person_id), "contact", person_id, workspace_id)

    def contact_page(self, workspace_id: str, person_id: str, *, offset: int, limit: int
                     ) -> dict[str, Any]:
        """One contact with a page of its sessions, newest first (`session_count` in all)."""
        with self._state(workspace_id) as engine:
            found = engine.contact_page(person_id, offset=offset, limit=limit)
            return _found(found, "contact", person_id, workspace_id)

    def accounts(self, workspace_id: str) -> list[dict[str, Any]]:
        """Every account with its contacts."""
        with self._state(workspace_id) as engine:
            return engine.accounts()

    def account(self, workspace_id: str, organization_id: str) -> dict[str, Any]:
        """One account with its traits and contacts."""
        with self._state(workspace_id) as engine:
            return _found(engine.account(organization_id), "account", organization_id,
                          workspace_id)

    def pending(self, workspace_id: str) -> list[dict[str, Any]]:
        """Contacts not yet placed in an account, each with the reason."""
        with self._state(workspace_id) as engine:
            return engine.pending()

    def visitors(self, workspace_id: str) -> list[dict[str, Any]]:
        """Anonymous visitors not (yet) tied to a contact."""
        with self._state(workspace_id) as engine:
            return engine.visitors()

    def sessions(self, workspace_id: str, person_id: str | None = None) -> list[dict[str, Any]]:
        """Sessions of everyone, or of one person."""
        with self._state(workspace_id) as engine:
            return engine.sessions(person_id)

    def visitor(self, workspace_id: str, anonymous_id: str) -> dict[str, Any]:
        """One anonymous visitor with its sessions (404 once a contact has claimed the id)."""
        with self._state(workspace_id) as engine:
            return _found(engine.visitor(anonymous_id), "anonymous visitor", anonymous_id,
                          workspace_id)

    def owner(self, workspace_id: str, anonymous_id: str) -> str | None:
        """The contact an anonymous id is tied to, if any: where its events and pages go."""
        with self._state(workspace_id) as engine:
            return engine.owner(anonymous_id)

    def page(self, workspace_id: str, kind: str, *, offset: int = 0, limit: int = 50) -> dict:
        """One page of accounts, contacts, pending contacts or visitors by id, and the total:
        the dashboard's lists, which must not render a whole large workspace per request."""
        with self._state(workspace_id) as engine:
            total, items = engine.page(kind, offset=offset, limit=limit)
        return {"total": total, "items": items}

    def counts(self, workspace_id: str) -> dict[str, int]:
        """How many messages, accounts, contacts, visitors, sessions the workspace holds."""
        with self._state(workspace_id) as engine:
            return engine.counts()

    def message(self, workspace_id: str, message_id: str) -> dict[str, Any]:
        """One accepted Akita message by id, e.g. the one that set a trait's value."""
        self._lock_for(workspace_id)
        found = self.store.message(workspace_id, message_id)
        return _found(found, "accepted message", message_id, workspace_id)
