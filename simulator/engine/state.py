"""Everything one workspace holds, and the per-message rules that change it.

Each rule here is written so that the result depends only on the set of messages applied, never
on their order: traits keep their latest value per key, placements are kept sorted and the
latest names the account, links keep the earliest, timelines keep items sorted. Checks that
may refuse a batch (duplicates, strict accounts) happen in `Workspace.apply` before any of
this runs, so these methods never fail half way.
"""

from __future__ import annotations

import sys
from typing import Any

from simulator.engine.identity import Identities
from simulator.engine.membership import Membership
from simulator.engine.records import Item, Link, Person, Placement
from simulator.engine.sessions import Timeline

Prepared = tuple[int, str, dict[str, Any]]  # (instant, message_id, message), parsed once
_SHORT = 64  # characters: a value this short is likely repeated (a name, an id, a path)
_EMPTY: dict[str, Any] = {}  # every item without properties holds this one; nothing mutates it


def _shared(value: Any) -> Any:
    """A short string as the one copy every message holding it shares (`sys.intern`).

    Every message arrives as freshly parsed JSON, so a million events named "Order Completed"
    would otherwise hold a million equal strings; items live as long as the workspace.
    """
    return sys.intern(value) if type(value) is str and len(value) <= _SHORT else value


def _compact(properties: Any) -> Any:
    """Properties with their keys and short string values shared (see `_shared`); an empty
    object is the one shared empty dict, which no view modifies."""
    if type(properties) is not dict:
        return properties
    if not properties:
        return _EMPTY
    return {_shared(key): _shared(value) for key, value in properties.items()}


class State:
    """The records of one workspace: message ids seen, contacts, accounts, anonymous ids."""

    __slots__ = ("identities", "membership", "persons", "seen", "timeout")

    def __init__(self, timeout: int) -> None:
        self.timeout = timeout
        self.seen: set[str] = set()
        self.persons: dict[str, Person] = {}
        self.membership = Membership()
        self.identities = Identities(timeout)

    def apply(self, batch: list[Prepared]) -> None:
        """Apply admitted messages (no duplicates, already checked) one by one."""
        self.seen.update(message_id for _, message_id, _ in batch)
        for at, message_id, message in batch:
            kind = message["type"]
            if kind == "event" or kind == "page":
                self._record_item(at, message_id, message, kind)
            elif kind == "contact":
                self._record_contact(at, message_id, message)
            else:
                self._record_account(at, message_id, message)

    def person(self, person_id: str) -> Person:
        """The contact with this id, created the first time any message names it."""
        person = self.persons.get(person_id)
        if person is None:
            person = self.persons[person_id] = Person(person_id, Timeline(self.timeout))
        return person

    def _record_item(self, at: int, message_id: str, message: dict[str, Any], kind: str) -> None:
        anonymous_id = _shared(message.get("anonymous_id"))
        item = Item(
            at,
            message_id,
            _shared(kind),
            _shared(message["event"] if kind == "event" else message.get("name")),
            _shared(message.get("category")),
            _compact(message.get("properties")),
            _shared(message.get("organization_id")),
            anonymous_id,
        )
        person_id = message.get("person_id")
        if person_id is None:
            person_id = self.identities.record_item(anonymous_id, item)
            if person_id is None:
                return
        self.person(person_id).timeline.add(item)

    def _record_contact(self, at: int, message_id: str, message: dict[str, Any]) -> None:
        person = self.person(message["person_id"])
        traits = message.get("traits")
        if traits:
            person.traits.update(traits, at, message_id)
        organization_id = message.get("organization_id")
        if organization_id:
            self.membership.place(person, Placement(at, message_id, organization_id, None))
        anonymous_id = message.get("anonymous_id")
        if anonymous_id:
            self._stitch(anonymous_id, Link(at, message_id, person.person_id))

    def _record_account(self, at: int, message_id: str, message: dict[str, Any]) -> None:
        organization_id = message["organization_id"]
        traits = message.get("traits")
        if traits:
            self.membership.account(organization_id).traits.update(traits, at, message_id)
        else:
            self.membership.account(organization_id)
        person_id = message.get("person_id")
        anonymous_id = message.get("anonymous_id")
        if person_id:
            placement = Placement(at, message_id, organization_id, None)
            self.membership.place(self.person(person_id), placement)
        elif anonymous_id:
            placement = Placement(at, message_id, organization_id, anonymous_id)
            owner = self.identities.record_placement(anonymous_id, placement)
            if owner is not None:
                self.membership.place(self.persons[owner], placement)

    def _stitch(self, anonymous_id: str, link: Link) -> None:
        """Link a visitor to a person, moving what it carried if its owner changes."""
        moved = self.identities.link(anonymous_id, link)
        if moved is None:
            return
        anonymous, previous_id = moved
        if previous_id is not None:
            previous = self.persons[previous_id]
            previous.anonymous_ids.discard(anonymous_id)
            if anonymous.items:
                previous.timeline.remove({item.message_id for item in anonymous.items})
            if anonymous.placements:
                self.membership.remove_placements(previous, anonymous_id)
        person = self.persons[link.person_id]
        person.anonymous_ids.add(anonymous_id)
        if anonymous.items:
            person.timeline.add_many(anonymous.items)
        if anonymous.placements:
            self.membership.add_placements(person, anonymous.placements)
