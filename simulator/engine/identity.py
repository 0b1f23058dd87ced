"""Identity stitching: tying an anonymous visitor to the person who identified on it.

A `contact` message carrying both `person_id` and `anonymous_id` links them, and everything that
arrived under that anonymous id alone (events, pages, group calls) becomes the person's, earlier
and later alike. When one anonymous id is linked to two people, the earliest link by
(timestamp, message_id) wins: a device's anonymous history belongs to the first person who
identified on it. That choice depends only on the set of links, never on arrival order.
"""

from __future__ import annotations

from simulator.engine.records import Anonymous, Item, Link, Placement
from simulator.engine.sessions import Timeline


class Identities:
    """Every anonymous id seen, the person it belongs to (if any) and what it carried."""

    __slots__ = ("_timeout", "anonymous")

    def __init__(self, timeout: int) -> None:
        self._timeout = timeout
        self.anonymous: dict[str, Anonymous] = {}

    def get(self, anonymous_id: str) -> Anonymous:
        """The record for this anonymous id, created on first sight."""
        anonymous = self.anonymous.get(anonymous_id)
        if anonymous is None:
            anonymous = self.anonymous[anonymous_id] = Anonymous(anonymous_id)
        return anonymous

    def record_item(self, anonymous_id: str, item: Item) -> str | None:
        """Keep an anonymous-only event or page; return its owner, or None for a visitor
        (whose own timeline then holds it)."""
        anonymous = self.get(anonymous_id)
        anonymous.items.append(item)
        if anonymous.link is not None:
            return anonymous.link.person_id
        if anonymous.timeline is None:
            anonymous.timeline = Timeline(self._timeout)
        anonymous.timeline.add(item)
        return None

    def record_placement(self, anonymous_id: str, placement: Placement) -> str | None:
        """Keep an anonymous-only group call; return the person it places, if linked."""
        anonymous = self.get(anonymous_id)
        anonymous.placements.append(placement)
        return anonymous.link.person_id if anonymous.link is not None else None

    def link(self, anonymous_id: str, link: Link) -> tuple[Anonymous, str | None] | None:
        """Offer a link. When it changes who owns the anonymous id, return the record and the
        previous owner (None: it was a visitor) so the caller can move what it carried."""
        anonymous = self.get(anonymous_id)
        previous = anonymous.link
        if previous is not None and previous < link:
            return None
        anonymous.link = link
        if previous is not None and previous.person_id == link.person_id:
            return None
        anonymous.timeline = None
        return anonymous, previous.person_id if previous is not None else None

    def visitors(self) -> list[Anonymous]:
        """Anonymous ids nobody has identified on, sorted by id. Every record is created by
        something it carried or by a link, so an unlinked one always carried something."""
        anonymous = self.anonymous
        return [anonymous[key] for key in sorted(anonymous) if anonymous[key].link is None]
