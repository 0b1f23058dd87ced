"""`SegmentGateway`: Segment's Tracking API in front of an Akita, for SDKs pointed at localhost.

A request's calls take the path a real one takes through Segment to Akita: Segment's server
side work (`enrich`), the `integrations` filter, then the destination itself: the contract's
validation, the mapping and the same `AkitaClient` that delivers to a real Akita, whose
requests here go to the Akita app in process (`transport`) and synchronously, so that when an
SDK's `flush()` returns its calls are in Akita's state.

A write key is an Akita API key: its workspace is created on first use (named by a short
fingerprint of the key, never the key). The gateway holds no state of its own besides a lock
that keeps two first requests with one new key from creating two workspaces.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from destination.client import AkitaClient
from destination.gateway.enrich import enrich, filter_reason
from destination.gateway.journal import Backend, Outcome, journal
from destination.gateway.routes import build_blueprint
from destination.gateway.transport import IN_PROCESS_URL, in_process_session
from destination.prepare import prepare
from destination.retry import RetryPolicy

FINGERPRINT_CHARS = 8


def _utc_now() -> datetime:
    return datetime.now(UTC)


def fingerprint(write_key: str) -> str:
    """A short SHA-256 prefix that tells workspaces apart without revealing the key."""
    return hashlib.sha256(write_key.encode("utf-8")).hexdigest()[:FINGERPRINT_CHARS]


class SegmentGateway:
    """Receives Segment calls for an Akita backend and delivers them through the destination.

    `backend` provides workspaces and the journal (the simulator's `Simulator`); `wsgi_app` is
    the Akita app whose ingest receives the deliveries. `retry` bounds how long a request may
    wait on a failing Akita (fault injection): by default a few seconds, well inside an SDK's
    own timeout. `clock` gives `receivedAt` (tests fix it). `blueprint` holds the routes.
    """

    def __init__(self, backend: Backend, wsgi_app: Any, *, retry: RetryPolicy | None = None,
                 clock: Callable[[], datetime] = _utc_now) -> None:
        self._backend = backend
        self._session = in_process_session(wsgi_app)
        self._retry = retry or RetryPolicy(max_attempts=3, max_elapsed=5.0)
        self._clock = clock
        self._creating = threading.Lock()
        self.blueprint = build_blueprint(self)

    def workspace_for(self, write_key: str) -> str:
        """The Akita workspace of a write key, created the first time the key is seen."""
        with self._creating:
            return self._backend.ensure_workspace(
                write_key, f"Segment write key {fingerprint(write_key)}")

    def preview(self, call: Any) -> dict[str, Any]:
        """What would become of `call`, without sending it: status, problems, reason, the
        enriched call and the Akita message (None unless mapped)."""
        enriched = enrich(call, self._clock())
        reason = filter_reason(enriched)
        outcome = Outcome.filtered_out(enriched, reason) if reason else Outcome(prepare(enriched))
        record = outcome.record
        return {
            "status": outcome.status,
            "problems": [{"path": p.path, "reason": p.reason} for p in record.problems],
            "reason": record.reason,
            "call": enriched,
            "message": record.message,
        }

    def send(self, write_key: str, calls: Sequence[Any], *,
             batch: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Enrich, filter and deliver `calls` into the key's workspace; journal each one.

        `batch` holds the batch-level `context`, `integrations` and `sentAt` of a `/v1/batch`
        request. Returns one delivery record per call, in order (`destination.report`), with
        status `filtered` for calls `integrations` kept from Akita.
        """
        received_at = self._clock()
        enriched = [enrich(call, received_at, batch) for call in calls]
        reasons = [filter_reason(call) for call in enriched]
        workspace_id = self.workspace_for(write_key)
        with AkitaClient(IN_PROCESS_URL, write_key, session=self._session, retry=self._retry,
                         flush_interval=None) as client:
            report = client.deliver([c for c, reason in zip(enriched, reasons, strict=True)
                                     if reason is None])
        delivered = iter(report.records)
        outcomes = [Outcome.filtered_out(call, reason) if reason else Outcome(next(delivered))
                    for call, reason in zip(enriched, reasons, strict=True)]
        journal(self._backend, workspace_id, outcomes)
        return [outcome.to_dict() for outcome in outcomes]
