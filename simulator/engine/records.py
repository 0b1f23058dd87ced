"""The records one workspace keeps: timeline items, placements, contacts, accounts, visitors.

Items and placements are named tuples whose first two fields are (instant, message_id). Message
ids are unique within a workspace, so sorting or bisecting them by plain tuple comparison orders
them by the engine's one ordering rule and never compares the fields after those two.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from simulator.engine.fields import LatestFields
from simulator.engine.sessions import Timeline


class Item(NamedTuple):
    """An event or a page view on someone's timeline."""

    at: int
    message_id: str
    kind: str  # "event" or "page"
    name: str | None  # the event's name, or the page's name
    category: str | None  # pages only
    properties: dict[str, Any]
    organization_id: str | None  # attribution only: it never places anyone
    anonymous_id: str | None


class Placement(NamedTuple):
    """A message that names a contact's account: a group call, or a groupId trait."""

    at: int
    message_id: str
    organization_id: str
    anonymous_id: str | None  # set when it reached the contact through a stitched visitor


class Link(NamedTuple):
    """A contact message that tied an anonymous id to a person."""

    at: int
    message_id: str
    person_id: str


@dataclass(slots=True, eq=False)
class Person:
    """A contact: traits, placements (sorted), the account they name, and a timeline."""

    person_id: str
    timeline: Timeline
    traits: LatestFields = field(default_factory=LatestFields)
    placements: list[Placement] = field(default_factory=list)
    organization_id: str | None = None
    anonymous_ids: set[str] = field(default_factory=set)


@dataclass(slots=True, eq=False)
class Account:
    """An account: traits and the people whose latest placement names it."""

    organization_id: str
    traits: LatestFields = field(default_factory=LatestFields)
    contacts: set[str] = field(default_factory=set)


@dataclass(slots=True, eq=False)
class Anonymous:
    """What arrived under an anonymous id alone, kept so a later or earlier link can move it.

    `timeline` exists only while the id is an unlinked visitor; once linked, the items live on
    the person's timeline and `items` and `placements` remember which ones to move if an even
    earlier link to somebody else turns up.
    """

    anonymous_id: str
    link: Link | None = None
    items: list[Item] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)
    timeline: Timeline | None = None
