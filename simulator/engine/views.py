"""JSON-ready views of the engine's records: what the control API and dashboard show.

Every list is sorted and every dict has a fixed set of keys (absent values are None), so the
same set of messages always renders to the same JSON, whatever order it arrived in.
"""

from __future__ import annotations

from typing import Any

from simulator.engine.clock import format_instant
from simulator.engine.membership import account_history
from simulator.engine.records import Account, Anonymous, Item, Person
from simulator.engine.sessions import Timeline

PENDING_REASON = "no group call or groupId trait has named this contact's account yet"


def item_view(item: Item) -> dict[str, Any]:
    """An event or page view inside a session."""
    view: dict[str, Any] = {
        "type": item.kind,
        "message_id": item.message_id,
        "timestamp": format_instant(item.at),
    }
    if item.kind == "event":
        view["event"] = item.name
    else:
        view["name"] = item.name
        view["category"] = item.category
    view["properties"] = item.properties if item.properties is not None else {}
    view["organization_id"] = item.organization_id
    view["anonymous_id"] = item.anonymous_id
    return view


def session_views(
    timeline: Timeline, *, person_id: str | None, anonymous_id: str | None = None,
    spans: list[tuple[int, int]] | None = None,
) -> list[dict[str, Any]]:
    """A person's (or a visitor's) sessions, earliest first; or only `spans`, in their order.

    A person's session id is f"{person_id}:{start_ms}"; a visitor's is
    f"anonymous:{anonymous_id}:{start_ms}". A person whose id itself starts with "anonymous:"
    could share an id with a visitor; the session's `person` and `anonymous_id` fields tell
    them apart.
    """
    owner = person_id if person_id is not None else f"anonymous:{anonymous_id}"
    views = []
    for start, end in timeline.spans() if spans is None else spans:
        items = timeline.between(start, end)
        events = sum(1 for item in items if item.kind == "event")
        views.append(
            {
                "id": f"{owner}:{start // 1000}",
                "person": person_id,
                "anonymous_id": anonymous_id,
                "start": format_instant(start),
                "end": format_instant(end),
                "duration_ms": (end - start) // 1000,
                "event_count": events,
                "page_count": len(items) - events,
                "items": [item_view(item) for item in items],
            }
        )
    return views


def pending_reason(person: Person) -> str | None:
    """Why a contact has no account, in words; None when it has one."""
    if person.organization_id is not None:
        return None
    for item in reversed(person.timeline.items):
        if item.organization_id is not None:
            return (
                f"{PENDING_REASON} (its {item.kind}s carry organization_id "
                f"{item.organization_id!r}, which attributes them but never places a contact)"
            )
    return PENDING_REASON


def contact_view(person: Person, sessions: list[dict[str, Any]]) -> dict[str, Any]:
    """A contact with its account, traits, where each trait came from, and history."""
    return {
        "person_id": person.person_id,
        "organization_id": person.organization_id,
        "pending_reason": pending_reason(person),
        "traits": person.traits.values(),
        "trait_sources": person.traits.sources(),
        "anonymous_ids": sorted(person.anonymous_ids),
        "account_history": [
            {
                "organization_id": placement.organization_id,
                "since": format_instant(placement.at),
                "message_id": placement.message_id,
            }
            for placement in account_history(person.placements)
        ],
        "event_count": person.timeline.events,
        "page_count": person.timeline.pages,
        "sessions": sessions,
    }


def pending_view(person: Person) -> dict[str, Any]:
    """A pending contact and the reason it is pending."""
    return {"person_id": person.person_id, "reason": pending_reason(person)}


def account_view(account: Account) -> dict[str, Any]:
    """An account with its traits and the ids of the contacts it holds."""
    return {
        "organization_id": account.organization_id,
        "traits": account.traits.values(),
        "trait_sources": account.traits.sources(),
        "contacts": sorted(account.contacts),
    }


def visitor_view(visitor: Anonymous, sessions: list[dict[str, Any]]) -> dict[str, Any]:
    """An anonymous visitor nobody has identified on yet.

    `organization_id` is the account its latest group call named: shown, but it places nobody
    until a contact message links the visitor to a person.
    """
    latest = max(visitor.placements, default=None)
    timeline = visitor.timeline
    return {
        "anonymous_id": visitor.anonymous_id,
        "organization_id": latest.organization_id if latest is not None else None,
        "event_count": timeline.events if timeline is not None else 0,
        "page_count": timeline.pages if timeline is not None else 0,
        "sessions": sessions,
    }
