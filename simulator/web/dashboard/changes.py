"""What a call sent from the playground changed: before and after, from per-id lookups.

The Akita message a call maps to names everything it can change: its contact, the account a
contact or account message places it in, and the anonymous visitor it may tie to a contact.
Each is looked up by id before and after sending, and compared field by field (traits one row
each), so the answer costs a few lookups whatever the size of the workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulator.errors import NotFound
from simulator.service import Simulator

ABSENT = object()  # a field one side does not have (unlike None, a value like any other)


@dataclass(frozen=True)
class Target:
    """Something a message can change: a contact, an account or a visitor, by id."""

    kind: str
    id: str


@dataclass(frozen=True)
class Row:
    """One field before and after (ABSENT where a side lacks it)."""

    field: str
    before: Any
    after: Any

    @property
    def changed(self) -> bool:
        """Whether sending changed this field."""
        return self.before is ABSENT or self.after is ABSENT or self.before != self.after


@dataclass(frozen=True)
class Change:
    """A target's summary before and after sending (None: it did not exist)."""

    target: Target
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def verdict(self) -> str:
        """created, removed, changed or unchanged, as the page's heading says it (a target
        that exists on neither side is never compared)."""
        if self.before is None:
            return "created"
        if self.after is None:
            return "removed"
        return "changed" if any(row.changed for row in self.rows) else "unchanged"

    @property
    def rows(self) -> list[Row]:
        """Every field of either side, in the order the summaries list them."""
        before, after = self.before or {}, self.after or {}
        fields = list(dict.fromkeys([*before, *after]))
        return [Row(name, before.get(name, ABSENT), after.get(name, ABSENT)) for name in fields]


def touched(service: Simulator, workspace_id: str, message: dict[str, Any] | None
            ) -> list[Target]:
    """What an Akita message can change, from the ids it carries: its contact (for an
    anonymous message, the contact its anonymous id is tied to), the account a contact or
    account message places it in, and its anonymous visitor."""
    if message is None:
        return []
    anonymous_id = message.get("anonymous_id")
    person_id = message.get("person_id") or (
        service.owner(workspace_id, anonymous_id) if anonymous_id else None)
    targets = []
    if person_id:
        targets.append(Target("contact", person_id))
    if message.get("organization_id") and message["type"] in ("contact", "account"):
        targets.append(Target("account", message["organization_id"]))
    if anonymous_id:
        targets.append(Target("visitor", anonymous_id))
    return targets


def _summary(kind: str, view: dict[str, Any]) -> dict[str, Any]:
    """The fields of a view worth comparing, flat: counts rather than whole sessions."""
    if kind == "contact":
        fields = {
            "account": view["organization_id"],
            "pending reason": view["pending_reason"],
            "account history": [entry["organization_id"] for entry in view["account_history"]],
            "anonymous ids": view["anonymous_ids"],
            "events": view["event_count"],
            "pages": view["page_count"],
            "sessions": len(view["sessions"]),
        }
    elif kind == "account":
        fields = {"contacts": len(view["contacts"])}
    else:
        fields = {"account named": view["organization_id"], "events": view["event_count"],
                  "pages": view["page_count"], "sessions": len(view["sessions"])}
    traits = view.get("traits", {})
    return fields | {f"traits.{key}": value for key, value in traits.items()}


def look(service: Simulator, workspace_id: str, targets: list[Target]) -> list[dict | None]:
    """Each target's summary now, None for one that does not exist (yet, or any more)."""
    readers = {"contact": service.contact, "account": service.account,
               "visitor": service.visitor}
    found: list[dict | None] = []
    for target in targets:
        try:
            found.append(_summary(target.kind, readers[target.kind](workspace_id, target.id)))
        except NotFound:
            found.append(None)
    return found


def compare(targets: list[Target], before: list[dict | None], after: list[dict | None]
            ) -> list[Change]:
    """One Change per target that exists before or after, pairing the two looks."""
    return [Change(t, b, a) for t, b, a in zip(targets, before, after, strict=True)
            if b is not None or a is not None]
