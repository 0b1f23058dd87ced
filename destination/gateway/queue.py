"""Durable delivery with Segment's retry policy: what a 200 from the local Segment promises.

Segment accepts a call at its edge and then keeps trying the destination for hours. Here the
first attempt is made while the SDK waits (so that after a healthy `flush()` the state is in
Akita); when it meets a retryable answer (no answer, a timeout, 408, 423, 429, 5xx but 501)
the call is queued in the simulator's database and retried later with randomized exponential
backoff, honouring `Retry-After`, for up to four hours from its first attempt. After that, or
on an answer retrying cannot fix, it is discarded with its reason. Every state carries
Segment's integration error code, as Event Delivery shows it:

    errors.awaiting-retry.503      queued, attempts made, next attempt at ...
    errors.discarded.400           refused on a retry; or retried for the whole window
    delivered                      delivered on a retry

The queue is the database's, so it survives restarts. API keys are never stored: a retry
delivers with the write key last seen for its workspace in this process, so after a restart a
queued call waits until its source sends again (every SDK request carries the key).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from contract.timestamps import parse_timestamp, to_wire
from destination.gateway.journal import Backend, journal
from destination.prepare import prepare
from destination.report import DeliveryRecord

RETRY_WINDOW = timedelta(hours=4)
FIRST_BACKOFF = 5.0  # seconds before the first retry, doubling to MAX_BACKOFF
MAX_BACKOFF = 900.0
DELIVERED = ("delivered", "duplicate")


def error_code(record: DeliveryRecord) -> str:
    """The failure as Segment's codes name it: the answer's status, or the connection's fate."""
    status = (record.response or {}).get("status")
    if isinstance(status, int):
        return str(status)
    return "ETIMEDOUT" if "timed out" in (record.reason or "") else "ECONNRESET"


class DeliveryQueue:
    """The gateway's calls awaiting retry, kept by `backend`, delivered by `deliver`.

    `deliver(workspace_id, records)` makes one attempt for each record and settles it (the
    gateway's in-process `AkitaClient`); it returns False when it cannot try at all (no write
    key known for the workspace yet). `clock` and `rng` make tests exact.
    """

    def __init__(self, backend: Backend,
                 deliver: Callable[[str, list[DeliveryRecord]], bool], *,
                 clock: Callable[[], datetime], window: timedelta = RETRY_WINDOW,
                 rng: random.Random | None = None, akita_attached: bool = False) -> None:
        self._backend = backend
        self._deliver = deliver
        self._clock = clock
        self.window = window
        self._rng = rng or random.Random()
        self._akita_attached = akita_attached  # the partner wire: Akita journals the calls
        self._retrying = threading.Lock()  # one retry round at a time
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def backoff(self, attempts: int, retry_after: float | None) -> timedelta:
        """The wait before the next attempt: Retry-After when given, else exponential with
        jitter (half fixed, half random), as Segment's is randomized."""
        if retry_after is not None:
            return timedelta(seconds=retry_after)
        step = min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** max(0, attempts - 1))
        return timedelta(seconds=step / 2 + self._rng.uniform(0, step / 2))

    def hold(self, workspace_id: str, records: Sequence[DeliveryRecord]) -> None:
        """Queue records whose first attempt failed in a retryable way; each record's reason
        now says it awaits retry, with its code and next attempt."""
        if not records:
            return
        now = self._clock()
        items = []
        for record in records:
            code = f"errors.awaiting-retry.{error_code(record)}"
            retry_after = (record.response or {}).get("retry_after")
            next_at = to_wire(now + self.backoff(1, retry_after))
            record.reason = (f"{code}: {record.reason}; queued: next attempt at {next_at}, "
                             f"retried until {to_wire(now + self.window)}")
            items.append({"message_id": record.message_id, "call": record.call, "attempts": 1,
                          "first_at": to_wire(now), "next_at": next_at, "code": code,
                          "reason": record.reason})
        self._backend.queue_deliveries(workspace_id, items)

    def retry(self, *, workspace_id: str | None = None, everything: bool = False
              ) -> dict[str, int]:
        """One round: try every call that is due (or, with `everything`, every waiting one);
        counts of how they stand after it."""
        with self._retrying:
            now = self._clock()
            rows = self._backend.waiting_deliveries(
                due_by=None if everything else to_wire(now), workspace_id=workspace_id)
            counts = {"delivered": 0, "awaiting_retry": 0, "discarded": 0, "waiting_for_key": 0}
            by_workspace: dict[str, list[dict[str, Any]]] = {}
            for row in rows:
                by_workspace.setdefault(row["workspace_id"], []).append(row)
            for workspace, waiting in by_workspace.items():
                records = [prepare(row["call"]) for row in waiting]
                tried = [record for record in records if record.status == "mapped"]
                if tried and not self._deliver(workspace, tried):
                    counts["waiting_for_key"] += len(waiting)
                    continue
                ended = [self._settle(row, record, now, counts)
                         for row, record in zip(waiting, records, strict=True)]
                journal(self._backend, workspace, [record for record in ended if record],
                        akita_attached=self._akita_attached)
            return counts

    def _settle(self, row: dict[str, Any], record: DeliveryRecord, now: datetime,
                counts: dict[str, int]) -> DeliveryRecord | None:
        """Record one attempt's result; the record if it ended (to journal), else None."""
        attempts = row["attempts"] + 1
        if record.status in DELIVERED:
            self._backend.settle_delivery(row["id"], state="delivered", attempts=attempts,
                                          next_at=None, code="delivered",
                                          reason=f"delivered on attempt {attempts}")
            counts["delivered"] += 1
            return record
        code = error_code(record)
        started = parse_timestamp(row["first_at"])
        if record.status == "failed" and now - started < self.window:
            retry_after = (record.response or {}).get("retry_after")
            next_at = to_wire(now + self.backoff(attempts, retry_after))
            self._backend.settle_delivery(
                row["id"], state="awaiting_retry", attempts=attempts, next_at=next_at,
                code=f"errors.awaiting-retry.{code}",
                reason=f"attempt {attempts}: {record.reason}; next attempt at {next_at}")
            counts["awaiting_retry"] += 1
            return None
        if record.status == "failed":
            why = f"retried {attempts} times for {self.window} without success: {record.reason}"
        elif record.status in ("invalid", "skipped"):
            code, why = "MESSAGE_REJECTED", f"no longer deliverable: {record.reason}"
        else:
            why = f"refused on attempt {attempts}: {record.reason}"
        record.reason = f"errors.discarded.{code}: {why}"
        self._backend.settle_delivery(row["id"], state="discarded", attempts=attempts,
                                      next_at=None, code=f"errors.discarded.{code}",
                                      reason=record.reason)
        counts["discarded"] += 1
        return record

    def summary(self, workspace_id: str) -> dict[str, Any]:
        """Totals per state and code, the calls awaiting retry, and the retry window."""
        return {**self._backend.deliveries(workspace_id),
                "retry_window_seconds": self.window.total_seconds()}

    def start(self, interval: float = 1.0) -> None:
        """Retry due calls every `interval` seconds from a daemon thread, until `stop()`."""
        if self._thread is not None:
            return
        self._stop.clear()
        thread = threading.Thread(target=self._run, args=(interval,), name="segment-retries",
                                  daemon=True)
        thread.start()
        self._thread = thread  # only once started: a stop may come at any moment (SIGTERM)

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.retry()

    def stop(self) -> None:
        """Stop the background retries (a round under way finishes first)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
