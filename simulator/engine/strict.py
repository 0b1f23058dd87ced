"""Strict accounts: refuse, before anything changes, a batch that would move a contact.

With strict accounts on, a contact that has an account keeps it: a batch whose placements would
put that contact in a different account, or in two different accounts at once, is answered 409
and nothing in it is applied. The check works out where every placement would land *after* the
batch, stitching included: a batch that links a visitor to a person brings along the visitor's
earlier group calls, and a group call under an anonymous id lands on whoever that id will belong
to.
"""

from __future__ import annotations

from typing import Any

from simulator.engine.records import Anonymous, Link, Person
from simulator.engine.state import Prepared
from simulator.errors import Conflict


def find_conflicts(
    batch: list[Prepared], persons: dict[str, Person], anonymous: dict[str, Anonymous]
) -> list[dict[str, Any]]:
    """One entry per contact the batch would place in a second account, sorted by person."""
    moved, leaving = _moving_visitors(batch, anonymous)
    incoming: dict[str, dict[str, str]] = {}  # person -> account -> a message naming it

    def note(person_id: str, organization_id: str, message_id: str) -> None:
        incoming.setdefault(person_id, {}).setdefault(organization_id, message_id)

    for _, message_id, message in batch:
        organization_id = message.get("organization_id")
        if message["type"] == "contact" and organization_id:
            note(message["person_id"], organization_id, message_id)
        elif message["type"] == "account":
            person_id = message.get("person_id") or _owner(
                message.get("anonymous_id"), moved, anonymous
            )
            if person_id:
                note(person_id, organization_id, message_id)
    for anonymous_id, person_id in moved.items():
        record = anonymous.get(anonymous_id)
        for placement in record.placements if record is not None else ():
            note(person_id, placement.organization_id, placement.message_id)

    conflicts = []
    for person_id in sorted(incoming):
        current = _current_account(persons.get(person_id), leaving.get(person_id, set()))
        named = sorted(incoming[person_id])
        others = [organization_id for organization_id in named if organization_id != current]
        if len(others) > (1 if current is None else 0):
            conflicts.append(
                {
                    "person_id": person_id,
                    "organization_id": current,
                    "conflicting_organization_ids": others,
                    "message_ids": [incoming[person_id][o] for o in others],
                }
            )
    return conflicts


def conflict_error(conflicts: list[dict[str, Any]]) -> Conflict:
    """A 409 whose message names the first contact and both accounts; details list them all."""
    first = conflicts[0]
    person, current = first["person_id"], first["organization_id"]
    others = ", ".join(repr(o) for o in first["conflicting_organization_ids"])
    if current is not None:
        message = (
            f"contact {person!r} belongs to account {current!r}; "
            f"this batch would move it to {others}"
        )
    else:
        message = f"this batch would place contact {person!r} in more than one account: {others}"
    if len(conflicts) > 1:
        message += f" (and {len(conflicts) - 1} more contacts)"
    return Conflict(f"{message}; nothing was applied", details=conflicts)


def _moving_visitors(
    batch: list[Prepared], anonymous: dict[str, Anonymous]
) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Anonymous ids whose owner the batch changes: id -> new owner, and owner -> ids it loses."""
    earliest: dict[str, Link] = {}
    for at, message_id, message in batch:
        anonymous_id = message.get("anonymous_id")
        if message["type"] == "contact" and anonymous_id:
            link = Link(at, message_id, message["person_id"])
            if anonymous_id not in earliest or link < earliest[anonymous_id]:
                earliest[anonymous_id] = link
    moved: dict[str, str] = {}
    leaving: dict[str, set[str]] = {}
    for anonymous_id, link in earliest.items():
        record = anonymous.get(anonymous_id)
        previous = record.link if record is not None else None
        if previous is not None and (previous < link or previous.person_id == link.person_id):
            continue
        moved[anonymous_id] = link.person_id
        if previous is not None:
            leaving.setdefault(previous.person_id, set()).add(anonymous_id)
    return moved, leaving


def _owner(
    anonymous_id: str | None, moved: dict[str, str], anonymous: dict[str, Anonymous]
) -> str | None:
    if anonymous_id is None:
        return None
    if anonymous_id in moved:
        return moved[anonymous_id]
    record = anonymous.get(anonymous_id)
    return record.link.person_id if record is not None and record.link is not None else None


def _current_account(person: Person | None, leaving: set[str]) -> str | None:
    """The account a contact is in once the visitors leaving it have taken their placements."""
    if person is None:
        return None
    if not leaving:
        return person.organization_id
    remaining = [p for p in person.placements if p.anonymous_id not in leaving]
    return remaining[-1].organization_id if remaining else None
