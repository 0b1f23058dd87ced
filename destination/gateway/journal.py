"""What the gateway tells the journal of the Akita it delivers into, call by call.

A call that reached Akita's ingest was journaled there (accepted, duplicate, rejected, with
the Akita message and answer); the gateway attaches the Segment call to that entry, so the
journal shows what the user sent beside what Akita received, as Segment's Event Delivery
does. A call Akita never saw gets an entry of the gateway's own, with its reasons:

| outcome | journal status | reasons |
|---|---|---|
| a `messageId` the edge saw within its window | duplicate | which call it repeats |
| filtered by `integrations` | filtered | which setting |
| over the 2,500 calls of a batch | rejected | the limit |
| invalid under the contract | failed | `invalid Segment call: <path>: <reason>` per problem |
| skipped by the mapping (screen, alias, no userId on identify) | skipped | the mapping's reason |
| a retryable answer: queued (`queue`) | failed | `errors.awaiting-retry.<code>`, the next attempt |
| given up after the window, or refused on retry | failed / rejected | `errors.discarded.<code>` |
| answered, but Akita journaled nothing (e.g. a 401) | as delivered | Akita's answer |

Journaled calls are the enriched ones, which never hold a write key.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType
from typing import Any, Protocol

from contract.mapping import stringify_id
from destination.report import DeliveryRecord

# Outcomes Akita's ingest answered, and so journaled. A `failed` call got no answer (or only
# errors to retry): Akita may hold no entry for it, or an old one of the same message id.
ANSWERED_STATUSES = frozenset({"delivered", "duplicate", "rejected"})
UNJOURNALED = frozenset({401, 403})
JOURNAL_STATUS = MappingProxyType({
    "filtered": "filtered", "invalid": "failed", "skipped": "skipped", "delivered": "accepted",
    "duplicate": "duplicate", "rejected": "rejected", "failed": "failed"})


class Backend(Protocol):
    """What the gateway needs of the Akita it delivers into (the simulator's `Simulator`)."""

    def ensure_workspace(self, api_key: str, name: str | None = None) -> str:
        """The workspace of an API key, created on first use."""

    def record(self, workspace_id: str, entries: list[dict[str, Any]]) -> None:
        """Add journal entries of the gateway's own."""

    def attach_segment_calls(self, workspace_id: str,
                             calls: Sequence[tuple[str, Any]]) -> list[int]:
        """Attach (message_id, call) pairs to journal entries; positions of those not found."""

    def queue_deliveries(self, workspace_id: str, items: Sequence[dict[str, Any]]) -> list[int]:
        """Keep calls to retry, durably: what survives a restart of the gateway."""

    def waiting_deliveries(self, *, due_by: str | None = None,
                           workspace_id: str | None = None) -> list[dict[str, Any]]:
        """Calls awaiting retry, oldest first; only those due by `due_by` if given."""

    def settle_delivery(self, delivery_id: int, **result: Any) -> None:
        """Record a retry's result: state, attempts, next_at, code, reason."""

    def deliveries(self, workspace_id: str) -> dict[str, Any]:
        """Totals per state and code, and what awaits retry."""


def _reasons(record: DeliveryRecord) -> list[str]:
    problems = [str(problem) for problem in record.problems]
    if record.status == "invalid":
        return [f"invalid Segment call: {problem}" for problem in problems]
    if record.reason is None:
        return problems
    if record.path and not problems:
        return [f"{record.path}: {record.reason}"]
    return [record.reason, *problems]


def entry(record: DeliveryRecord) -> dict[str, Any]:
    """The journal entry the gateway writes for a call Akita has no entry of."""
    message = record.message
    call = record.call if isinstance(record.call, dict) else {}
    kind = message["type"] if message else call.get("type")
    person = (message.get("person_id") or message.get("anonymous_id") if message else
              stringify_id(call.get("userId")) or stringify_id(call.get("anonymousId")))
    message_id = record.message_id or call.get("messageId")
    return {
        "status": JOURNAL_STATUS[record.status],
        "type": kind if isinstance(kind, str) else None,
        "message_id": message_id if isinstance(message_id, str) else None,
        "person": person,
        "reasons": _reasons(record),
        "akita_message": message,
        "segment_call": record.call,
        "response": record.response,
    }


def journal(backend: Backend, workspace_id: str, records: Sequence[DeliveryRecord], *,
            akita_attached: bool = False) -> None:
    """Attach each sent call to Akita's entry; journal the rest (table above). With
    `akita_attached` (the partner wire, where Akita receives the call itself and journals it
    beside its message), the calls Akita answered are in its journal already."""
    sent = [i for i, record in enumerate(records)
            if record.status in ANSWERED_STATUSES and record.message_id]
    if akita_attached:  # all but refusals of the key, which reach no workspace to journal in
        attached = {i for i in sent
                    if (records[i].response or {}).get("status") not in UNJOURNALED}
    else:
        missing = backend.attach_segment_calls(
            workspace_id, [(records[i].message_id, records[i].call) for i in sent])
        attached = set(sent) - {sent[position] for position in missing}
    own = [entry(record) for i, record in enumerate(records) if i not in attached]
    if own:
        backend.record(workspace_id, own)
