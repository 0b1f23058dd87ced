"""Per-field "latest wins": the rule that makes traits independent of delivery order.

Segment does not guarantee order, so a trait's value is the one carried by the message with the
latest (timestamp, message_id) among all that set it, whatever order they arrived in. Each field
remembers which message set it, so the dashboard can answer "where did this value come from?".
"""

from __future__ import annotations

from typing import Any

from simulator.engine.clock import format_instant


class LatestFields:
    """Top-level trait keys, each holding the value from its latest (timestamp, message_id)."""

    __slots__ = ("_fields",)

    def __init__(self) -> None:
        self._fields: dict[str, tuple[int, str, Any]] = {}

    def update(self, traits: dict[str, Any], at: int, message_id: str) -> None:
        """Offer every key of `traits` as set at (at, message_id); later ones keep their value."""
        fields = self._fields
        for key, value in traits.items():
            current = fields.get(key)
            if current is None or current[0] < at or (current[0] == at and current[1] < message_id):
                fields[key] = (at, message_id, value)

    def values(self) -> dict[str, Any]:
        """The winning values, keys sorted so that snapshots serialise identically."""
        fields = self._fields
        return {key: fields[key][2] for key in sorted(fields)}

    def sources(self) -> dict[str, dict[str, str]]:
        """For each key, the message that set its value and that message's timestamp."""
        fields = self._fields
        return {
            key: {"message_id": fields[key][1], "timestamp": format_instant(fields[key][0])}
            for key in sorted(fields)
        }
