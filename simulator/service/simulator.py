"""The simulator as plain method calls: what the HTTP layer and the CLI both drive.

`Simulator` owns the store (the durable truth) and one engine Workspace per workspace (a cache
of the state, rebuilt from stored messages the first time a workspace is used after a start).
Every workspace has its own lock, held while a batch is applied *and* written, so state and file
never disagree and workspaces never wait on each other. If the write fails, the cached state is
dropped and rebuilt from the file on next use: the file always wins. Reads take the same lock
and pass the engine's (or the store's) answers on.

API keys are hashed and matched in `simulator.service.keys`.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, NoReturn

from contract import validate_akita_batch
from simulator.engine import DEFAULT_SESSION_TIMEOUT, Workspace
from simulator.errors import Conflict, InvalidParameter, KeyInUse, NotFound, SimulatorError
from simulator.service.batch_errors import batch_error, journal_rejection, located_conflict
from simulator.service.faults import Faults, WorkspaceFaults
from simulator.service.interpreter import building
from simulator.service.keys import KeyRing, hash_key
from simulator.service.outcomes import SAME_TYPE, summarize
from simulator.service.partner import PartnerWire
from simulator.service.read_views import ReadViews
from simulator.service.replay import Checkpoints
from simulator.service.rest import RestApi
from simulator.store import JOURNAL_STATUSES, Store, person_of

DEFAULT_JOURNAL_CAP = 10_000
JOURNAL_PAGE = 50
MAX_ENTRY_ID = 2**63 - 1  # SQLite's largest integer: a larger `before` cannot be bound
MAX_JOURNAL_PAGE = 1000
# A key must survive every way a client sends it: Basic auth splits at the first colon, and
# headers carry neither whitespace nor anything outside printable ASCII reliably.
_USABLE_KEY = re.compile(r"[!-9;-~]{1,256}")
_KEY_RULE = ("api_key must be 1 to 256 printable ASCII characters without ':' or whitespace, "
             "so that it works as a Basic auth user name and as a Bearer token")
_DUPLICATE = "message_id was seen before in this workspace; acknowledged, not applied again"


def _found(found: dict[str, Any] | None, what: str, key: str, workspace_id: str
           ) -> dict[str, Any]:
    """`found`, or NotFound naming what was asked for: how every lookup by id ends."""
    if found is None:
        raise NotFound(f"no {what} {key!r} in workspace {workspace_id}")
    return found


class Simulator:
    """The fake Akita: workspaces, ingest with the contract's validation, state, journal."""

    def __init__(
        self,
        store: Store,
        *,
        session_timeout: timedelta = DEFAULT_SESSION_TIMEOUT,
        strict_accounts: bool = False,
        journal_cap: int = DEFAULT_JOURNAL_CAP,
        rest_per_minute: int | None = None,
    ) -> None:
        if journal_cap < 1:
            raise ValueError(f"journal_cap must be at least 1, not {journal_cap}")
        self.store = store
        self.session_timeout = session_timeout
        self.strict_accounts = strict_accounts
        self.journal_cap = journal_cap
        self._registry = threading.Lock()  # guards adding to the two registries below
        self._keys = KeyRing(store.key_hashes().items())
        self._locks = {ws["id"]: threading.Lock() for ws in store.workspaces()}
        self._engines: dict[str, Workspace] = {}
        self.checkpoints = Checkpoints(store, session_timeout)
        self._views = ReadViews(store, self.checkpoints)
        self.faults = Faults()  # failures to inject into each workspace's ingest, on request
        self.rest = RestApi(self, per_minute=rest_per_minute)  # Akita's REST API
        self.partner = PartnerWire(self)  # Segment's raw calls, one a request

    def close(self) -> None:
        """Checkpoint what changed since the last checkpoint, then close the store; committed
        data stays in the file. The caller has stopped serving."""
        with self._registry:
            engines = dict(self._engines)
        self.checkpoints.at_stop(engines)
        self.store.close()

    # -- workspaces -------------------------------------------------------------------------

    def create_workspace(
        self, name: str | None = None, api_key: str | None = None
    ) -> dict[str, Any]:
        """A new empty workspace; returns its id, name and API key (the only time it is shown)."""
        if api_key is not None and (not isinstance(api_key, str)
                                    or not _USABLE_KEY.fullmatch(api_key)):
            raise InvalidParameter(_KEY_RULE)
        if name is not None and not isinstance(name, str):
            raise InvalidParameter("name must be a string")
        if name is not None and not name.isascii():
            try:
                name.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidParameter("name holds a lone UTF-16 surrogate, which is not "
                                       "Unicode text") from None
        key = api_key if api_key is not None else f"ak_{secrets.token_hex(16)}"
        digest = hash_key(key)
        workspace_id = f"ws_{secrets.token_hex(8)}"
        with self._registry:
            if self.workspace_for_key(key) is not None:
                raise KeyInUse()
            created = self.store.add_workspace(workspace_id, name or workspace_id, digest)
            # The lock first: once the key is known, an ingest may use the workspace at once.
            self._locks[workspace_id] = threading.Lock()
            self._keys.add(digest, workspace_id)
        return {**created, "api_key": key}

    def workspace_for_key(self, api_key: str) -> str | None:
        """The workspace an API key names, or None, in the same time whichever it is."""
        return self._keys.workspace_for(api_key)

    def ensure_workspace(self, api_key: str, name: str | None = None) -> str:
        """The workspace of `api_key`, created if the key is new (`akita-sim serve --api-key`)."""
        found = self.workspace_for_key(api_key)
        return found if found is not None else self.create_workspace(name, api_key)["id"]

    def list_workspaces(self) -> list[dict[str, Any]]:
        """Every workspace (id, name, created_at), oldest first; never a key."""
        return self.store.workspaces()

    def workspace(self, workspace_id: str) -> dict[str, Any]:
        """One workspace with its message count."""
        with self._state(workspace_id) as engine:
            count = engine.message_count
        [info] = self.store.workspaces(workspace_id)
        return {**info, "message_count": count}

    def delete_workspace(self, workspace_id: str) -> None:
        """Remove a workspace, its data and its key: the key authenticates nothing any more.

        The registry lock keeps a new workspace from being made meanwhile, the workspace's lock
        any request in flight in it from writing after its rows are gone.
        """
        with self._registry, self._lock_for(workspace_id):
            self.store.delete_workspace(workspace_id)
            self._keys.remove(workspace_id)
            self._engines.pop(workspace_id, None)
            self._views.forget(workspace_id)
            self.checkpoints.forget(workspace_id)
            self.faults.forget(workspace_id)
            del self._locks[workspace_id]

    def faults_of(self, workspace_id: str) -> WorkspaceFaults:
        """The fault injection of one workspace (simulator.service.faults); NotFound if unknown."""
        self._lock_for(workspace_id)
        return self.faults.of(workspace_id)

    # -- state ------------------------------------------------------------------------------

    def _lock_for(self, workspace_id: str) -> threading.Lock:
        lock = self._locks.get(workspace_id)
        if lock is None:
            raise NotFound(f"no workspace {workspace_id!r}")
        return lock

    def _replay(self, workspace_id: str) -> Workspace:
        """A workspace's state from its checkpoint and the stored messages after it: how every
        live engine is built; the mode asked for now applies to what arrives next."""
        return self.checkpoints.build(workspace_id, strict_accounts=self.strict_accounts)

    @contextmanager
    def _state(self, workspace_id: str) -> Iterator[Workspace]:
        """The workspace's engine under its lock, rebuilt from the store on first use."""
        with self._lock_for(workspace_id):
            engine = self._engines.get(workspace_id)
            if engine is None:
                engine = self._engines[workspace_id] = self._replay(workspace_id)
            yield engine

    @contextmanager
    def _whole(self, workspace_id: str) -> Iterator[Workspace]:
        """The workspace as it is now, from its read view: for reads of the whole workspace,
        which take long enough that ingest must not wait for them (`read_views`)."""
        with self._lock_for(workspace_id):
            position = self.store.position(workspace_id)
        with self._views.at(workspace_id, position) as engine:
            yield engine

    def snapshot(self, workspace_id: str) -> dict[str, Any]:
        """Everything the workspace knows, JSON-ready and deterministically ordered; built with
        the cycle collector paused, as it makes a whole workspace's worth of objects."""
        with self._whole(workspace_id) as engine, building():
            return engine.snapshot()

    # -- reads ------------------------------------------------------------------------------

    def contacts(self, workspace_id: str) -> list[dict[str, Any]]:
        """Every contact."""
        with self._whole(workspace_id) as engine:
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
        with self._whole(workspace_id) as engine:
            return engine.accounts()

    def account(self, workspace_id: str, organization_id: str) -> dict[str, Any]:
        """One account with its traits and contacts."""
        with self._state(workspace_id) as engine:
            return _found(engine.account(organization_id), "account", organization_id,
                          workspace_id)

    def pending(self, workspace_id: str) -> list[dict[str, Any]]:
        """Contacts not yet placed in an account, each with the reason."""
        with self._whole(workspace_id) as engine:
            return engine.pending()

    def visitors(self, workspace_id: str) -> list[dict[str, Any]]:
        """Anonymous visitors not (yet) tied to a contact."""
        with self._whole(workspace_id) as engine:
            return engine.visitors()

    def sessions(self, workspace_id: str, person_id: str | None = None) -> list[dict[str, Any]]:
        """Sessions of everyone, or of one person."""
        reads = self._state if person_id is not None else self._whole
        with reads(workspace_id) as engine:
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

    # -- ingest -----------------------------------------------------------------------------

    def ingest(self, workspace_id: str, body: Any) -> dict[str, int]:
        """Validate and apply one `{"batch": [...]}` body, all or nothing, journaling each item.

        Raises BadRequest (400), PayloadTooLarge (413), Unsupported (501) or Conflict (409,
        strict accounts); each lists every bad item and nothing is applied.
        """
        self._lock_for(workspace_id)  # an unknown workspace is a 404 before any work
        problems = validate_akita_batch(body)  # outside the lock: pure, and the costly part
        if problems:
            self._reject(workspace_id, body, batch_error(body, problems))
        with self._state(workspace_id) as engine:
            try:
                result = engine.apply(body["batch"])
            except Conflict as error:
                self._reject(workspace_id, body, located_conflict(body["batch"], error))
            stored, journal = self._outcome(body["batch"], set(result.accepted))
            try:
                self.store.write(workspace_id, messages=stored, journal=journal,
                                 journal_cap=self.journal_cap)
            except BaseException:
                del self._engines[workspace_id]  # the state ran ahead of the file: rebuild it
                raise
            self.checkpoints.after_ingest(workspace_id, engine)
        return {"accepted": len(result.accepted), "duplicates": len(result.duplicates)}

    def _outcome(self, batch: list[dict], accepted: set[str]) -> tuple[list[dict], list[dict]]:
        """Messages to store and one journal entry per item: accepted or duplicate."""
        stored: list[dict] = []
        journal: list[dict] = []
        answer = {"status": 200}
        for message in batch:
            first = message["message_id"] in accepted
            accepted.discard(message["message_id"])  # a repeat within the batch is a duplicate
            if first:
                stored.append(message)
            journal.append({
                "status": "accepted" if first else "duplicate",
                "type": message["type"],
                "message_id": message["message_id"],
                "person": person_of(message),
                "reasons": [] if first else [_DUPLICATE],
                "akita_message": message,
                "response": answer,
            })
        return stored, journal

    def _reject(self, workspace_id: str, body: Any, error: SimulatorError) -> NoReturn:
        """Journal every item of a rejected body with its reasons, then raise `error`."""
        self.store.write(workspace_id, journal=journal_rejection(body, error),
                         journal_cap=self.journal_cap)
        raise error

    # -- journal and reset ------------------------------------------------------------------

    def record(self, workspace_id: str, entries: list[dict[str, Any]]) -> None:
        """Add journal entries made elsewhere (the Segment gateway: skipped, filtered, failed)."""
        self._lock_for(workspace_id)
        for entry in entries:
            if entry.get("status") not in JOURNAL_STATUSES:
                raise ValueError(f"journal status must be one of {JOURNAL_STATUSES}: {entry!r}")
        self.store.write(workspace_id, journal=entries, journal_cap=self.journal_cap)

    def attach_segment_calls(self, workspace_id: str,
                             calls: Sequence[tuple[str, Any]]) -> list[int]:
        """Show the Segment call beside the journal entry of the message it became (the
        gateway's); returns the positions of calls whose message has no entry to attach to."""
        self._lock_for(workspace_id)
        return self.store.attach_segment_calls(workspace_id, calls)

    def journal(
        self,
        workspace_id: str,
        *,
        status: str | None = None,
        type: str | None = None,
        person: str | None = None,
        message_id: str | None = None,
        before: int | None = None,
        limit: int = JOURNAL_PAGE,
    ) -> list[dict[str, Any]]:
        """Journal entries newest first, filtered; page back with `before` = the last id seen.
        A type is Segment's or Akita's name for it (`track` finds the events Akita took and
        the track calls it never got)."""
        self._lock_for(workspace_id)
        if status is not None and status not in JOURNAL_STATUSES:
            raise InvalidParameter(f"status must be one of {', '.join(JOURNAL_STATUSES)}")
        if not 1 <= limit <= MAX_JOURNAL_PAGE:
            raise InvalidParameter(f"limit must be between 1 and {MAX_JOURNAL_PAGE}")
        if before is not None and not 0 <= before <= MAX_ENTRY_ID:
            raise InvalidParameter(f"before must be an entry id between 0 and {MAX_ENTRY_ID}")
        types = SAME_TYPE.get(type, (type,)) if type is not None else None
        return self.store.journal(workspace_id, status=status, types=types, person=person,
                                  message_id=message_id, before=before, limit=limit)

    def outcomes(self, workspace_id: str) -> dict[str, Any]:
        """What became of the calls the journal holds: totals per outcome, failures grouped
        by reason with a sample (`simulator.service.outcomes`)."""
        self._lock_for(workspace_id)
        return summarize(self.store.journal_outcomes(workspace_id))

    def reset(self, workspace_id: str | None = None) -> None:
        """Empty one workspace (or every one): messages, journal and state; keys stay valid.

        The state is rebuilt by the same path that builds it after a start, so a reset
        workspace is exactly a new one.
        """
        targets = [workspace_id] if workspace_id is not None else list(self._locks)
        for target in targets:
            with self._lock_for(target):
                self.store.clear(target)
                self._engines.pop(target, None)
                self._views.forget(target)
                self.checkpoints.forget(target)

    # -- the local Segment's delivery queue ---------------------------------------------------

    def queue_deliveries(self, workspace_id: str, items: Sequence[dict[str, Any]]) -> list[int]:
        """Queue Segment calls whose first delivery met a retryable answer."""
        self._lock_for(workspace_id)
        return self.store.queue_deliveries(workspace_id, items)

    def waiting_deliveries(self, *, due_by: str | None = None,
                           workspace_id: str | None = None) -> list[dict[str, Any]]:
        """Queued calls awaiting retry, oldest first; only those due by `due_by` if given."""
        if workspace_id is not None:
            self._lock_for(workspace_id)
        return self.store.waiting_deliveries(due_by=due_by, workspace_id=workspace_id)

    def settle_delivery(self, delivery_id: int, **result: Any) -> None:
        """Record a retry's result: state, attempts, next_at, code, reason."""
        self.store.settle_delivery(delivery_id, **result)

    def deliveries(self, workspace_id: str) -> dict[str, Any]:
        """The workspace's delivery totals per state and code, and what awaits retry."""
        self._lock_for(workspace_id)
        return self.store.delivery_summary(workspace_id)
