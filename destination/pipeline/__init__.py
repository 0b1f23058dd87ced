"""What Segment does with a call, in Segment's order, for every tool that must agree on it.

    intake      type from the path, legacy `action`, batch defaults, the key removed, a
                `messageId` assigned, `receivedAt`, the timestamp rule by library kind
    dedup       edge de-duplication by `messageId` over a sliding window, before any filter
    filtering   the call's `integrations` keep it from Akita, or not
    (then)      the contract's validation and mapping (`destination.prepare`)

The local Segment gateway, `akita-map` and the dashboard's playground all run `Pipeline`, so
the same call gets the same outcome from each; only the gateway then delivers what was mapped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from contract.timestamps import parse_timestamp
from destination.pipeline.dedup import EdgeDeduplicator
from destination.pipeline.filtering import filter_reason
from destination.pipeline.intake import intake
from destination.prepare import prepare
from destination.report import DeliveryRecord

__all__ = ["EdgeDeduplicator", "Pipeline", "archived_receipt", "filter_reason", "intake"]


def utc_now() -> datetime:
    """The receiving clock: now, in UTC."""
    return datetime.now(UTC)


def archived_receipt(call: Any, fallback: datetime) -> datetime:
    """When Segment received a call read from a file: the `receivedAt` its servers stamped on
    it (an archive's calls carry one), else `fallback`, the run's clock.

    A device-mode call's timestamp is corrected from its receipt (`intake`), so re-reading a
    year-old archive with today's clock would move every such event to today; with the stamp
    the correction gives back the timestamp Segment first computed, and the edge's 24-hour
    de-duplication window spans the archive's own days.
    """
    stamped = call.get("receivedAt") if isinstance(call, Mapping) else None
    if isinstance(stamped, str):
        try:
            return parse_timestamp(stamped)
        except ValueError:
            pass
    return fallback


class Pipeline:
    """Segment's stages before a destination; `dedup=None` turns edge de-duplication off (the
    playground previews a call without using up its id)."""

    def __init__(self, *, dedup: EdgeDeduplicator | None = None,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.dedup = dedup
        self.clock = clock

    def process(self, calls: Iterable[Any], *, batch: Mapping[str, Any] | None = None,
                kind: str | None = None, where: str = "") -> list[DeliveryRecord]:
        """One record per call, in order: `duplicate`, `filtered`, `invalid`, `skipped` or
        `mapped`, each holding the call as Segment hands it on. `where` names the source in a
        later repeat's reason (a write key's fingerprint, a file and line)."""
        received = self.clock()
        return [self.one(call, received, batch=batch, kind=kind, where=where) for call in calls]

    def one(self, call: Any, received: datetime, *, batch: Mapping[str, Any] | None = None,
            kind: str | None = None, where: str = "") -> DeliveryRecord:
        """What becomes of one call received at `received`."""
        arrived = intake(call, received, batch=batch, kind=kind)
        message_id = arrived.get("messageId") if isinstance(arrived, dict) else None
        if self.dedup is not None and isinstance(message_id, str):
            earlier = self.dedup.check(message_id, received, where)
            if earlier is not None:
                return DeliveryRecord(arrived, "duplicate", reason=earlier.describe(message_id))
        reason = filter_reason(arrived)
        if reason is not None:
            return DeliveryRecord(arrived, "filtered", reason=reason)
        return prepare(arrived)
