"""Delivery of Segment calls to Akita, the way Segment delivers to a partner destination.

`AkitaClient` validates each call against the contract, maps it, queues the message, and sends
to `POST {base_url}/akita/v1/segment` (Basic auth with the API key and an empty password,
`User-Agent: Segment.io/1.0`) in one of two wire formats: `wire="batch"`, batches of mapped
Akita messages (the bulk path), or `wire="direct"`, as Segment delivers to a partner
destination: each call as it is, one a request, with `Accept: application/json` and
`X-Segment-Settings` (base64 JSON of the destination's other settings), Akita mapping it.
A batch leaves when it is full (count or bytes), when the flush interval passes (a background
thread) and on `flush()`. Failures follow
`destination.retry`; an answer that is not retried but names bad items (a 400, a strict
accounts 409) rejects exactly those and re-sends the rest at once: Akita applied nothing.
Message ids never change between attempts, so Akita's de-duplication makes every retry safe:
nothing lost, nothing applied twice.

Each call's `DeliveryRecord` reaches a final status inside `enqueue` (invalid, skipped) or when
its batch settles; `on_record` hears of every one, which is how a long-running gateway can
journal outcomes without the client keeping them all.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from contract.limits import MAX_BATCH_BYTES, MAX_BATCH_MESSAGES
from contract.problems import Problem
from destination.batching import BatchQueue, wire
from destination.errors import AkitaConnectionError, AkitaHTTPError, DestinationError
from destination.prepare import prepare
from destination.report import (
    DeliveryRecord,
    DeliveryReport,
    Status,
    item_errors,
    request_view,
    response_view,
)
from destination.retry import RetryPolicy, is_retryable, parse_retry_after

INGEST_PATH = "/akita/v1/segment"
WIRES = ("batch", "direct")
USER_AGENT = "Segment.io/1.0"
NO_ANSWER = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
MAX_TEXT_BODY = 2000  # characters of a non-JSON answer worth keeping in a report


def _answer(response: requests.Response) -> tuple[Any, str]:
    """Akita's body (JSON, else text) and the message to show for it."""
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text[:MAX_TEXT_BODY]
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body, body["message"]
    return body, (body if isinstance(body, str) and body else response.reason or "no message")


def ingest_url(base_url: str) -> str:
    """Akita's ingest URL under `base_url`; ValueError for anything but http(s)://host[...]."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"Akita base URL must be http(s)://host[:port], not {base_url!r}")
    return base_url.rstrip("/") + INGEST_PATH


class AkitaClient:
    """Validates, maps, batches and delivers Segment calls to one Akita workspace.

    `session` may be injected (pooling, adapters, a test transport) and is then left open by
    `close()`; `retry` carries backoff, sleep and clock. `flush_interval=None` starts no
    background thread: batches then leave only when full or on `flush()`. Use as a context
    manager, or call `close()`, which flushes what is queued and stops the thread.
    """

    def __init__(self, base_url: str, api_key: str, *, session: requests.Session | None = None,
                 retry: RetryPolicy | None = None, timeout: float = 10.0,
                 flush_interval: float | None = 10.0,
                 max_batch_messages: int = MAX_BATCH_MESSAGES,
                 max_batch_bytes: int = MAX_BATCH_BYTES,
                 on_record: Callable[[DeliveryRecord], None] | None = None,
                 wire: str = "batch", settings: Mapping[str, Any] | None = None) -> None:
        if wire not in WIRES:
            raise ValueError(f"wire must be one of {', '.join(WIRES)}, not {wire!r}")
        self.url = ingest_url(base_url)
        self.wire = wire
        token = base64.b64encode(f"{api_key}:".encode()).decode("ascii")
        self.headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json",
                        "User-Agent": USER_AGENT}
        if wire == "direct":
            max_batch_messages = 1  # "each request is a new event"
            encoded = base64.b64encode(json.dumps(dict(settings or {})).encode()).decode()
            self.headers |= {"Accept": "application/json", "X-Segment-Settings": encoded}
        self._owns_session = session is None
        self._session = session or requests.Session()
        self._retry = retry or RetryPolicy()
        self._timeout = timeout
        self._on_record = on_record
        self._queue: BatchQueue[DeliveryRecord] = BatchQueue(max_batch_messages, max_batch_bytes)
        self._send_lock = threading.Lock()
        self._closing = threading.Lock()
        self._closed = False
        self._stop = threading.Event()
        self._timer: threading.Thread | None = None
        if flush_interval is not None:
            self._timer = threading.Thread(target=self._flush_every, args=(flush_interval,),
                                           name="akita-flush", daemon=True)
            self._timer.start()

    def __enter__(self) -> AkitaClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def enqueue(self, call: Any) -> DeliveryRecord:
        """Check, map and queue one call; its record settles now (invalid, skipped) or later.

        Thread-safe. When the queue holds a full batch, the calling thread sends it: a caller
        faster than Akita is slowed down instead of filling memory.
        """
        return self.submit(prepare(call))

    def submit(self, record: DeliveryRecord) -> DeliveryRecord:
        """Queue a record `prepare` made (as `enqueue` does with the call), for a caller that
        has already validated and mapped its calls (the local Segment's pipeline)."""
        ready = record.status == "mapped"
        size = len(wire(record.message)) if ready else 0
        with self._closing:  # close() cannot slip between the check and the put
            if self._closed:
                raise DestinationError("the Akita client is closed")
            full = ready and self._queue.put(record, size)
        if not ready:
            self._settle(record)
        elif full:
            self._drain(full_only=True)
        return record

    def flush(self) -> None:
        """Send everything queued; when it returns, every record enqueued before has settled."""
        self._drain(full_only=False)

    def deliver(self, calls: Iterable[Any]) -> DeliveryReport:
        """Enqueue every call, flush, and report on each in the order given."""
        report = DeliveryReport([self.enqueue(call) for call in calls])
        self.flush()
        return report

    def close(self) -> None:
        """Refuse new calls, stop the interval thread, send what is queued, release the session."""
        with self._closing:
            self._closed = True
        self._stop.set()
        if self._timer is not None:
            self._timer.join()
        self.flush()
        if self._owns_session:
            self._session.close()

    def _flush_every(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.flush()

    def _drain(self, *, full_only: bool) -> None:
        # One batch in flight at a time: flush() waiting here is what guarantees that batches
        # cut by other threads have settled when it returns.
        with self._send_lock:
            while batch := self._queue.take(full_only=full_only):
                self._send(batch)

    def _settle(self, record: DeliveryRecord, status: Status | None = None, *,
                reason: str | None = None) -> None:
        if status is not None:
            record.status, record.reason = status, reason
        if self._on_record is not None:
            self._on_record(record)

    def _post(self, batch: list[DeliveryRecord]) -> Any:
        """One attempt: Akita's success body, or AkitaHTTPError / AkitaConnectionError."""
        payload = (wire(batch[0].call) if self.wire == "direct"
                   else wire({"batch": [record.message for record in batch]}))
        for index, record in enumerate(batch):
            record.attempts += 1
            record.response = None
            body = record.call if self.wire == "direct" else {"batch": [record.message]}
            record.request = request_view(self.url, self.headers, body, index, len(batch))
        try:
            response = self._session.post(self.url, data=payload,
                                          headers=self.headers, timeout=self._timeout,
                                          allow_redirects=False)
        except NO_ANSWER as exc:
            raise AkitaConnectionError(f"no answer from Akita: {exc}") from exc
        except requests.RequestException as exc:
            raise AkitaConnectionError(f"could not ask Akita: {exc}", retryable=False) from exc
        body, message = _answer(response)
        for record in batch:
            record.response = response_view(response.status_code, body)
        if not 200 <= response.status_code < 300:
            retry_after = parse_retry_after(response.headers.get("Retry-After"), self._retry.now())
            if retry_after is not None:
                for record in batch:
                    record.response["retry_after"] = retry_after
            raise AkitaHTTPError(response.status_code, message, body, retry_after)
        return body

    def _send(self, batch: list[DeliveryRecord]) -> None:
        """Deliver one batch, retrying as the policy allows, until every record has settled."""
        started = self._retry.clock()
        failures = 0
        while batch:
            try:
                body = self._post(batch)
            except DestinationError as error:
                retryable = is_retryable(error)
                if isinstance(error, AkitaHTTPError) and not retryable:
                    remaining = self._reject_named(batch, error)
                    if remaining is not None:
                        batch = remaining
                        continue
                if not retryable:
                    final = "rejected" if isinstance(error, AkitaHTTPError) else "failed"
                    reason = error.message if isinstance(error, AkitaHTTPError) else str(error)
                    for record in batch:
                        self._settle(record, final, reason=reason)
                    return
                failures += 1
                wait = self._retry.next_delay(failures, self._retry.clock() - started,
                                              getattr(error, "retry_after", None))
                if wait is None:
                    for record in batch:
                        record.note = f"gave up after {failures} failed attempts"
                        self._settle(record, "failed", reason=str(error))
                    return
                self._retry.sleep(wait)
            else:
                self._accept(batch, body)
                return

    def _reject_named(self, batch: list[DeliveryRecord],
                      error: AkitaHTTPError) -> list[DeliveryRecord] | None:
        """Reject the items an error names; the rest to re-send, or None if it names none."""
        named: dict[int, list[dict[str, Any]]] = {}
        positions: dict[str | None, int] = {}
        for index, record in enumerate(batch):
            positions.setdefault(record.message_id, index)
        for item in item_errors(error.body):
            index = item.get("index")
            if not (isinstance(index, int) and not isinstance(index, bool)
                    and 0 <= index < len(batch)):
                index = positions.get(item.get("message_id"))
            if index is not None:
                named.setdefault(index, []).append(item)
        if not named:
            return None
        for index, items in named.items():
            record = batch[index]
            record.problems = tuple(Problem(str(i.get("path", "$")), str(i.get("reason", "")))
                                    for i in items)
            record.path = record.problems[0].path
            record.response = response_view(error.status, error.body, items)
            self._settle(record, "rejected", reason=error.message)
        return [record for index, record in enumerate(batch) if index not in named]

    def _accept(self, batch: list[DeliveryRecord], body: Any) -> None:
        """Settle a batch Akita took: duplicates when it says all were known already.

        Akita counts duplicates but does not name them, so in a partly duplicate batch every
        message is `delivered`, with a note saying how many Akita had already.
        """
        duplicates = body.get("duplicates") if isinstance(body, dict) else None
        known = duplicates if isinstance(duplicates, int) and duplicates > 0 else 0
        status: Status = "duplicate" if known >= len(batch) else "delivered"
        note = (f"Akita had {known} of the {len(batch)} messages of this batch already"
                if 0 < known < len(batch) else None)
        for record in batch:
            record.note = note
            self._settle(record, status)
