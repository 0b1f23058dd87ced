"""Segment's side of the wire: what Segment sends Akita for a call, and how it gets there.

`mapping` turns a validated Segment call into an Akita message or a skip with its reason (pure);
`client.AkitaClient` validates, maps, batches and delivers with retries, and tells what happened
to each call in a `report.DeliveryRecord`; `cli` is the `akita-map` command. Depends on
`contract` alone, so the simulator's Segment gateway can reuse all of it.
"""

from __future__ import annotations

from destination.client import AkitaClient
from destination.errors import AkitaConnectionError, AkitaHTTPError, DestinationError
from destination.mapping import Mapped, Skip, map_call
from destination.prepare import prepare
from destination.report import DeliveryRecord, DeliveryReport
from destination.retry import RetryPolicy

__all__ = [
    "AkitaClient",
    "AkitaConnectionError",
    "AkitaHTTPError",
    "DeliveryRecord",
    "DeliveryReport",
    "DestinationError",
    "Mapped",
    "RetryPolicy",
    "Skip",
    "map_call",
    "prepare",
]
