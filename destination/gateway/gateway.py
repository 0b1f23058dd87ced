"""`SegmentGateway`: Segment's Tracking API in front of an Akita, for SDKs pointed at localhost.

A request's calls take the path a real one takes through Segment to Akita: Segment's own
stages (`destination.pipeline`: intake, edge de-duplication, the `integrations` filter,
validation and mapping), then delivery with the same `AkitaClient` that talks to a real Akita,
whose requests here go to the Akita app in process (`transport`). The first attempt is made
while the SDK waits, so that when its `flush()` returns the calls are in Akita's state; a call
that meets a retryable answer is queued durably and retried later (`queue`), never dropped.

A write key is an Akita API key: its workspace is created on first use (named by a short
fingerprint of the key, never the key). The edge's de-duplication is shared by every write key,
as Segment's is shared by every source.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from contract.limits import MAX_BATCH_MESSAGES
from destination.client import AkitaClient
from destination.gateway.journal import Backend, journal
from destination.gateway.queue import RETRY_WINDOW, DeliveryQueue
from destination.gateway.routes import build_blueprints
from destination.gateway.transport import IN_PROCESS_URL, in_process_session
from destination.pipeline import EdgeDeduplicator, Pipeline, utc_now
from destination.pipeline.dedup import DEFAULT_WINDOW
from destination.report import DeliveryRecord
from destination.retry import RetryPolicy

FINGERPRINT_CHARS = 8
OVER_THE_LIMIT = (f"the batch holds more than {MAX_BATCH_MESSAGES:,} calls: Segment accepts the "
                  f"request and rejects the calls over the limit (HTTP API, Errors)")


def fingerprint(write_key: str) -> str:
    """A short SHA-256 prefix that tells workspaces apart without revealing the key."""
    return hashlib.sha256(write_key.encode("utf-8")).hexdigest()[:FINGERPRINT_CHARS]


class SegmentGateway:
    """Receives Segment calls for an Akita backend and delivers them through the destination.

    `backend` provides workspaces, the journal and the delivery queue (the simulator's
    `Simulator`); `wsgi_app` is the Akita app whose ingest receives the deliveries, each call
    as it is (`wire="direct"`, Segment's way with partner destinations) or in batches of
    Akita messages (`wire="batch"`). `clock`
    gives `receivedAt` and paces retries (tests set it); `dedup_window` is the edge's
    de-duplication window, `retry_window` how long a queued call is retried. `blueprints`
    hold the routes: the Tracking API, and the delivery queue's control routes.
    """

    def __init__(self, backend: Backend, wsgi_app: Any, *,
                 clock: Callable[[], datetime] = utc_now,
                 dedup_window: timedelta = DEFAULT_WINDOW,
                 retry_window: timedelta = RETRY_WINDOW, wire: str = "direct") -> None:
        self._backend = backend
        self.wire = wire
        self._session = in_process_session(wsgi_app)
        self.clock = clock
        self.pipeline = Pipeline(dedup=EdgeDeduplicator(dedup_window), clock=self._now)
        self._preview = Pipeline(clock=self._now)  # previews use up no messageId
        self.queue = DeliveryQueue(backend, self._attempt, clock=self._now, window=retry_window,
                                   akita_attached=wire == "direct")
        self._keys: dict[str, str] = {}  # workspace -> the write key last seen, in memory only
        self._creating = threading.Lock()
        self.blueprints = build_blueprints(self)

    def _now(self) -> datetime:
        return self.clock()

    def workspace_for(self, write_key: str) -> str:
        """The Akita workspace of a write key, created the first time the key is seen."""
        with self._creating:
            workspace_id = self._backend.ensure_workspace(
                write_key, f"Segment write key {fingerprint(write_key)}")
            self._keys[workspace_id] = write_key
        return workspace_id

    def preview(self, call: Any) -> dict[str, Any]:
        """What would become of `call`, without sending it or using up its messageId: status,
        problems, reason, the call as Segment hands it on and the Akita message."""
        (record,) = self._preview.process([call])
        return {
            "status": record.status,
            "problems": [{"path": p.path, "reason": p.reason} for p in record.problems],
            "reason": record.reason,
            "call": record.call,
            "message": record.message,
        }

    def send(self, write_key: str, calls: Sequence[Any], *,
             batch: Mapping[str, Any] | None = None, kind: str | None = None
             ) -> list[dict[str, Any]]:
        """Take `calls` as Segment's edge does and deliver what is mapped into the key's
        workspace; journal each one. Returns one delivery record per call, in order.

        `batch` holds a `/v1/batch` request's `context`, `integrations` and `sentAt`; `kind`
        the type a `/v1/<type>` path gives its call.
        """
        workspace_id = self.workspace_for(write_key)
        taken, over = calls[:MAX_BATCH_MESSAGES], calls[MAX_BATCH_MESSAGES:]
        records = self.pipeline.process(taken, batch=batch, kind=kind,
                                        where=f"write key {fingerprint(write_key)}")
        records += [DeliveryRecord(call, "rejected", reason=OVER_THE_LIMIT, path="$.batch")
                    for call in over]
        mapped = [record for record in records if record.status == "mapped"]
        self._attempt(workspace_id, mapped)
        self.queue.hold(workspace_id, [record for record in mapped if record.status == "failed"])
        journal(self._backend, workspace_id, records, akita_attached=self.wire == "direct")
        return [record.to_dict() for record in records]

    def _attempt(self, workspace_id: str, records: list[DeliveryRecord]) -> bool:
        """One delivery attempt for each mapped record, settling it; False when no write key
        is known for the workspace (after a restart, until its source sends again)."""
        write_key = self._keys.get(workspace_id)
        if write_key is None:
            return False
        if records:
            with AkitaClient(IN_PROCESS_URL, write_key, session=self._session,
                             retry=RetryPolicy(max_attempts=1), flush_interval=None,
                             wire=self.wire) as client:
                for record in records:
                    client.submit(record)
        return True
