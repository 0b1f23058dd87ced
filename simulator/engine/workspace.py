"""The face of one workspace: admitting batches (all or nothing) and rendering views.

The per-message rules live in `state`; this module decides whether a batch may be applied at
all (duplicates, unreadable timestamps, strict accounts) before any of them runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from simulator.engine import views
from simulator.engine.clock import duration_to_micros, parse_instant
from simulator.engine.records import Anonymous, Person
from simulator.engine.sessions import DEFAULT_SESSION_TIMEOUT, Timeline
from simulator.engine.state import Prepared, State
from simulator.engine.strict import conflict_error, find_conflicts

_TYPES = frozenset({"contact", "account", "event", "page"})


@dataclass(frozen=True, slots=True)
class ApplyResult:
    """Message ids of a batch, in batch order: applied now, or seen before and skipped."""

    accepted: list[str]
    duplicates: list[str]


class Workspace:
    """The state of one Akita workspace, a function of the *set* of messages accepted.

    `apply()` takes Akita wire messages already validated against the contract. Every rule is
    order independent, so any permutation or batching of the same messages gives the same
    `snapshot()`. Not thread-safe: the caller serialises access (the service holds a lock).
    `strict_accounts` may be switched between batches: it only decides whether later batches
    that would move a contact are refused, so stored messages can be replayed without it.

    Views are freshly built dicts and lists; nested trait and property values are the objects
    that came in with the messages, shared, and must not be mutated. `snapshot()` returns::

        {
          "accounts": [{"organization_id", "traits", "trait_sources", "contacts": [person_id]}],
          "contacts": [{"person_id", "organization_id" (None when pending),
                        "pending_reason" (None when placed), "traits",
                        "trait_sources": {key: {"message_id", "timestamp"}},
                        "anonymous_ids": [...],
                        "account_history": [{"organization_id", "since", "message_id"}],
                        "event_count", "page_count", "sessions": [session]}],
          "pending": [{"person_id", "reason"}],
          "visitors": [{"anonymous_id", "organization_id", "event_count", "page_count",
                        "sessions": [session]}],
          "sessions": [session],   # every person's and visitor's, by (start, id)
          "counts": {"messages", "accounts", "contacts", "placed", "pending", "visitors",
                     "sessions", "events", "pages"},
        }

    session: {"id", "person", "anonymous_id", "start", "end", "duration_ms", "event_count",
    "page_count", "items": [{"type", "message_id", "timestamp", "event" | "name" and
    "category", "properties", "organization_id", "anonymous_id"}]}. A person's session has
    id f"{person}:{start_ms}" and anonymous_id None; a visitor's has id
    f"anonymous:{anonymous_id}:{start_ms}" and person None. Accounts, contacts, pending and
    visitors are sorted by id; timestamps are UTC with `Z` and milliseconds.
    """

    def __init__(
        self, *, session_timeout: timedelta = DEFAULT_SESSION_TIMEOUT,
        strict_accounts: bool = False
    ) -> None:
        timeout = duration_to_micros(session_timeout)
        if timeout <= 0:
            raise ValueError(f"session_timeout must be positive, not {session_timeout}")
        self.session_timeout = session_timeout
        self.strict_accounts = strict_accounts
        self._timeout = timeout
        self._build()

    def _build(self) -> None:
        """Everything a workspace holds, empty: shared by __init__ and reset()."""
        self._state = State(self._timeout)

    def reset(self) -> None:
        """Forget every message, as if the workspace had just been created."""
        self._build()

    @property
    def message_count(self) -> int:
        """How many distinct messages were applied."""
        return len(self._state.seen)

    def apply(self, messages: list[dict[str, Any]]) -> ApplyResult:
        """Apply a batch, all or nothing; duplicates (by message_id) are acknowledged only.

        Raises ValueError for a timestamp without an offset or an unknown type, and, with strict
        accounts, simulator.errors.Conflict for a batch that would move a contact; in both cases
        nothing in the batch is applied.
        """
        batch, result = self._admit(messages)
        if self.strict_accounts:
            conflicts = find_conflicts(batch, self._state.persons, self._state.identities.anonymous)
            if conflicts:
                raise conflict_error(conflicts)
        self._state.apply(batch)
        return result

    def _admit(self, messages: list[dict[str, Any]]) -> tuple[list[Prepared], ApplyResult]:
        """Split off duplicates and parse every timestamp before anything changes."""
        seen, fresh = self._state.seen, set()
        batch: list[Prepared] = []
        result = ApplyResult([], [])
        for message in messages:
            message_id = message["message_id"]
            if message_id in seen or message_id in fresh:
                result.duplicates.append(message_id)
                continue
            if message["type"] not in _TYPES:
                raise ValueError(f"message {message_id!r} has unknown type {message['type']!r}")
            try:
                instant = parse_instant(message["timestamp"])
            except ValueError as error:
                raise ValueError(f"message {message_id!r}: {error}") from error
            fresh.add(message_id)
            batch.append((instant, message_id, message))
            result.accepted.append(message_id)
        return batch, result

    # Views -------------------------------------------------------------------------------

    def contact(self, person_id: str) -> dict[str, Any] | None:
        """One contact, or None if no message has named this person."""
        person = self._state.persons.get(person_id)
        return _contact_view(person) if person is not None else None

    def contact_page(self, person_id: str, *, offset: int, limit: int) -> dict[str, Any] | None:
        """One contact with `limit` of its sessions, newest first after `offset`, and their
        number as `session_count`: a contact with 50,000 events renders as fast as one with
        five, since only the sessions shown are built."""
        person = self._state.persons.get(person_id)
        return _paged_contact(person, offset, limit) if person is not None else None

    def account(self, organization_id: str) -> dict[str, Any] | None:
        """One account, or None if no message has named it."""
        account = self._state.membership.accounts.get(organization_id)
        return views.account_view(account) if account is not None else None

    def contacts(self) -> list[dict[str, Any]]:
        """Every contact, placed or pending, by person_id."""
        return [views.contact_view(person, found) for person, _, found in self._person_sessions()]

    def accounts(self) -> list[dict[str, Any]]:
        """Every account, by organization_id."""
        accounts = self._state.membership.accounts
        return [views.account_view(accounts[key]) for key in sorted(accounts)]

    def pending(self) -> list[dict[str, Any]]:
        """Contacts with no account yet, each with the reason, by person_id."""
        persons = self._state.persons
        return [
            views.pending_view(persons[key])
            for key in sorted(persons)
            if persons[key].organization_id is None
        ]

    def visitors(self) -> list[dict[str, Any]]:
        """Anonymous ids nobody has identified on, with their sessions, by anonymous_id."""
        return [
            views.visitor_view(visitor, sessions)
            for visitor, _, sessions in self._visitor_sessions()
        ]

    def visitor(self, anonymous_id: str) -> dict[str, Any] | None:
        """One anonymous visitor, or None if the id is unknown or now belongs to a contact."""
        visitor = self._state.identities.anonymous.get(anonymous_id)
        if visitor is None or visitor.link is not None:
            return None
        return self._visitor_view(visitor)

    def owner(self, anonymous_id: str) -> str | None:
        """The contact an anonymous id is tied to; None for a visitor or an unknown id."""
        record = self._state.identities.anonymous.get(anonymous_id)
        return record.link.person_id if record is not None and record.link is not None else None

    def _visitor_view(self, visitor: Anonymous) -> dict[str, Any]:
        timeline = visitor.timeline or Timeline(self._timeout)  # a group call, no events
        return views.visitor_view(visitor, views.session_views(
            timeline, person_id=None, anonymous_id=visitor.anonymous_id))

    def page(self, kind: str, *, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
        """How many accounts, contacts, pending contacts or visitors there are, and the views of
        the `limit` after `offset` (by id); contacts come with `session_count` and no sessions.

        Only that page is rendered, so a dashboard listing 100,000 contacts pays for sorting
        their ids, not for 100,000 views with their sessions.
        """
        state = self._state
        if kind == "accounts":
            ids = sorted(state.membership.accounts)
            chosen = ids[offset:offset + limit]
            return len(ids), [views.account_view(state.membership.accounts[i]) for i in chosen]
        if kind == "contacts":
            ids = sorted(state.persons)
            persons = state.persons
            return len(ids), [_paged_contact(persons[i], 0, 0) for i in ids[offset:offset + limit]]
        if kind == "pending":
            persons = state.persons
            ids = sorted(key for key, person in persons.items() if person.organization_id is None)
            return len(ids), [views.pending_view(persons[i]) for i in ids[offset:offset + limit]]
        if kind == "visitors":
            anonymous = state.identities.anonymous
            ids = sorted(key for key, visitor in anonymous.items() if visitor.link is None)
            return len(ids), [self._visitor_view(anonymous[i]) for i in ids[offset:offset + limit]]
        raise ValueError(f"kind must be accounts, contacts, pending or visitors, not {kind!r}")

    def sessions(self, person_id: str | None = None) -> list[dict[str, Any]]:
        """One person's sessions (empty for an unknown person), or with no argument every
        person's and visitor's, ordered by (start, id)."""
        if person_id is None:
            return _by_start([*self._person_sessions(), *self._visitor_sessions()])
        person = self._state.persons.get(person_id)
        return views.session_views(person.timeline, person_id=person_id) if person else []

    def counts(self) -> dict[str, int]:
        """How much the workspace holds, for headers and health checks."""
        persons = self._state.persons.values()
        visitors = self._state.identities.visitors()
        timelines = [p.timeline for p in persons] + [v.timeline for v in visitors if v.timeline]
        placed = sum(1 for person in persons if person.organization_id is not None)
        return {
            "messages": len(self._state.seen),
            "accounts": len(self._state.membership.accounts),
            "contacts": len(self._state.persons),
            "placed": placed,
            "pending": len(self._state.persons) - placed,
            "visitors": len(visitors),
            "sessions": sum(len(timeline.starts) for timeline in timelines),
            "events": sum(timeline.events for timeline in timelines),
            "pages": sum(timeline.pages for timeline in timelines),
        }

    def snapshot(self) -> dict[str, Any]:
        """The whole state as JSON-ready data (shape in the class docstring)."""
        persons, visitors = list(self._person_sessions()), list(self._visitor_sessions())
        return {
            "accounts": self.accounts(),
            "contacts": [views.contact_view(person, found) for person, _, found in persons],
            "pending": self.pending(),
            "visitors": [views.visitor_view(visitor, found) for visitor, _, found in visitors],
            "sessions": _by_start([*persons, *visitors]),
            "counts": self.counts(),
        }

    def _person_sessions(self) -> Iterator[tuple[Person, Timeline, list[dict[str, Any]]]]:
        for person_id in sorted(self._state.persons):
            person = self._state.persons[person_id]
            yield person, person.timeline, views.session_views(person.timeline, person_id=person_id)

    def _visitor_sessions(self) -> Iterator[tuple[Anonymous, Timeline, list[dict[str, Any]]]]:
        for visitor in self._state.identities.visitors():
            timeline = visitor.timeline or Timeline(self._timeout)  # a group call, no events
            found = views.session_views(timeline, person_id=None, anonymous_id=visitor.anonymous_id)
            yield visitor, timeline, found


def _contact_view(person: Person) -> dict[str, Any]:
    return views.contact_view(
        person, views.session_views(person.timeline, person_id=person.person_id))


def _paged_contact(person: Person, offset: int, limit: int) -> dict[str, Any]:
    spans = person.timeline.spans()
    shown = views.session_views(person.timeline, person_id=person.person_id,
                                spans=spans[::-1][offset:offset + limit])
    return {**views.contact_view(person, shown), "session_count": len(spans)}


def _by_start(rendered: list[tuple[Any, Timeline, list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    """Everyone's sessions in one list, by start instant (not its text: precisions differ)."""
    keyed = [
        (start, session["id"], session)
        for _, timeline, found in rendered
        for start, session in zip(timeline.starts, found, strict=True)
    ]
    keyed.sort(key=lambda entry: entry[:2])
    return [session for _, _, session in keyed]
