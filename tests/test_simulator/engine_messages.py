"""Builders of Akita wire messages for the engine's hand-written tests.

Times are given in minutes after a fixed instant, so a test reads as a timeline
("at 0", "at 30") rather than as a wall of ISO strings.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def at(minutes: float, *, suffix: str = "Z") -> str:
    """The wire timestamp `minutes` after T0, with millisecond precision and `suffix`."""
    moment = T0 + timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}{suffix}"


def millis(minutes: float) -> int:
    """Milliseconds since the epoch `minutes` after T0, as session ids carry them."""
    return int((T0 + timedelta(minutes=minutes)).timestamp() * 1000)


def contact(message_id: str, minutes: float, person_id: str, **fields: Any) -> dict[str, Any]:
    """A contact message (an identify call) for `person_id`."""
    return {
        "type": "contact",
        "message_id": message_id,
        "timestamp": at(minutes),
        "person_id": person_id,
        **fields,
    }


def account(message_id: str, minutes: float, organization_id: str, **fields: Any) -> dict[str, Any]:
    """An account message (a group call) naming `organization_id`."""
    return {
        "type": "account",
        "message_id": message_id,
        "timestamp": at(minutes),
        "organization_id": organization_id,
        **fields,
    }


def event(message_id: str, minutes: float, name: str = "Clicked", **fields: Any) -> dict[str, Any]:
    """An event message (a track call); pass person_id and/or anonymous_id."""
    return {
        "type": "event",
        "message_id": message_id,
        "timestamp": at(minutes),
        "event": name,
        **fields,
    }


def page(
    message_id: str, minutes: float, name: str | None = "Home", **fields: Any
) -> dict[str, Any]:
    """A page message (a page call); pass person_id and/or anonymous_id."""
    return {
        "type": "page",
        "message_id": message_id,
        "timestamp": at(minutes),
        "name": name,
        **fields,
    }
