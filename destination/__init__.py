"""Segment's side of the wire: what Segment does with a call on its way to Akita.

`prepare` validates a call and maps it with the contract's mapping (`contract.mapping`);
`client.AkitaClient` batches and delivers with retries, and tells what happened to each call in
a `report.DeliveryRecord`; `gateway` is the local Segment Tracking API; `cli` is the
`akita-map` command. Depends on `contract` alone, so the simulator's serving edge can mount the
gateway.
"""

from __future__ import annotations

from destination.client import AkitaClient
from destination.errors import AkitaConnectionError, AkitaHTTPError, DestinationError
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
    "RetryPolicy",
    "prepare",
]
