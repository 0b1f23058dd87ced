"""Akita's REST API as the fake Akita answers it: upserts that become messages of the same
workspace state, and the queued writes Akita acknowledges with a 202.

An account or contact upsert is validated against the contract's REST schemas (a refusal names
each field), turned into its Akita message (`contract.rest`: stamped with the time received,
its id `rest-...`, so the dashboard can say a value came from REST) and ingested like any other,
under the same rules: a REST contact is placed in its `internal_account_id`, strict accounts
refuse a move, the same write twice leaves the same state. Interactions and event counts are
journaled and answered 202, as Akita queues them.

The answer is Akita's shape: `{"data": {...}}` with an integer `id` (stable for the
`internal_id`), the ids, the named fields, and `created_at` / `updated_at` written
`YYYY-MM-DD HH:MM:SS` (the earliest and latest time any of its fields was set).
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from contract.rest import rest_message, validate_rest
from contract.timestamps import to_wire
from simulator.errors import InvalidBody, RateLimited

if TYPE_CHECKING:
    from simulator.service.simulator import Simulator

WINDOW = 60.0  # seconds of a rate limit's window


def record_id(workspace_id: str, kind: str, internal_id: str) -> int:
    """The integer id Akita answers with, the same for an `internal_id` on every call."""
    digest = hashlib.sha256(f"{workspace_id}\0{kind}\0{internal_id}".encode()).digest()
    return int.from_bytes(digest[:6], "big")  # 48 bits: exact in JavaScript too


def _akita_time(wire: str) -> str:
    return wire[:10] + " " + wire[11:19]


class RestApi:
    """The REST API of one simulator; `per_minute` (None: no limit) bounds each workspace's
    requests a minute, as Akita limits its REST API (known from public client code)."""

    def __init__(self, simulator: Simulator, *, per_minute: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._simulator = simulator
        self.per_minute = per_minute
        self._clock = clock
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def admit(self, workspace_id: str) -> None:
        """Count a request against the workspace's limit; RateLimited (429) past it."""
        if self.per_minute is None:
            return
        now = self._clock()
        with self._lock:
            start, count = self._windows.get(workspace_id, (now, 0))
            if now - start >= WINDOW:
                start, count = now, 0
            if count >= self.per_minute:
                raise RateLimited(retry_after=max(1, round(WINDOW - (now - start))))
            self._windows[workspace_id] = (start, count + 1)

    def _checked(self, kind: str, body: Any) -> None:
        problems = validate_rest(kind, body)
        if problems:
            raise InvalidBody(details=[{"path": p.path, "reason": p.reason} for p in problems])

    def upsert(self, workspace_id: str, kind: str, body: Any) -> dict[str, Any]:
        """Create or update an account or contact; Akita's `{"data": ...}` for it."""
        self.admit(workspace_id)
        self._checked(kind, body)
        message = rest_message(kind, body, message_id=f"rest-{uuid.uuid4().hex}",
                               timestamp=to_wire(datetime.now(UTC)))
        self._simulator.ingest(workspace_id, {"batch": [message]})
        internal_id = body["internal_id"]
        if kind == "account":
            found = self._simulator.account(workspace_id, internal_id)
            fields = {"name": found["traits"].get("name"),
                      "is_tracked": found["traits"].get("is_tracked")}
        else:
            found = self._simulator.contact(workspace_id, internal_id)
            fields = {"internal_account_id": found["organization_id"],
                      **{name: found["traits"].get(name)
                         for name in ("first_name", "last_name", "email")}}
        placed = [entry["since"] for entry in found.get("account_history", ())]
        times = sorted([message["timestamp"], *placed,
                        *(source["timestamp"] for source in found["trait_sources"].values())])
        return {"data": {"id": record_id(workspace_id, kind, internal_id),
                         "internal_id": internal_id, **fields,
                         "created_at": _akita_time(times[0]),
                         "updated_at": _akita_time(times[-1])}}

    def queue(self, workspace_id: str, kind: str, body: Any) -> dict[str, Any]:
        """Journal an interaction or a list of event counts; Akita's 202 placeholder."""
        self.admit(workspace_id)
        self._checked(kind, body)
        items = body if kind == "event_counts" else [body]
        self._simulator.record(workspace_id, [{
            "status": "accepted", "type": kind.removesuffix("s"),
            "message_id": item.get("provider_interaction_id"),
            "person": item.get("internal_contact_id") or item.get("submitted_by_email"),
            "reasons": [], "akita_message": item, "response": {"status": 202},
        } for item in items])
        return {"data": {"status": "queued", "queued": len(items)}}
