"""What the gateway tells the journal of the Akita it delivers into, call by call.

A call that reached Akita's ingest was journaled there (accepted, duplicate, rejected, with
the Akita message and answer); the gateway attaches the Segment call to that entry, so the
journal shows what the user sent beside what Akita received, as Segment's Event Delivery
does. A call Akita never saw gets an entry of the gateway's own, with its reasons:

| outcome | journal status | reasons |
|---|---|---|
| filtered by `integrations` | filtered | which setting |
| invalid under the contract | failed | `invalid Segment call: <path>: <reason>` per problem |
| skipped by the mapping (screen, alias, no userId on identify) | skipped | the mapping's reason |
| failed: no answer from Akita after the retries allowed | failed | the last error |
| answered, but Akita journaled nothing (e.g. a 401) | as delivered | Akita's answer |

Journaled calls are the enriched ones, which never hold a write key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Protocol

from contract.mapping import stringify_id
from destination.report import DeliveryRecord

# Outcomes Akita's ingest answered, and so journaled. A `failed` call got no answer (or only
# errors to retry): Akita may hold no entry for it, or an old one of the same message id.
ANSWERED_STATUSES = frozenset({"delivered", "duplicate", "rejected"})
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


@dataclass(frozen=True)
class Outcome:
    """One call's delivery record, or the record of a call `integrations` kept from Akita."""

    record: DeliveryRecord
    filtered: bool = False

    @classmethod
    def filtered_out(cls, call: Any, reason: str) -> Outcome:
        """A call `integrations` keep from Akita, and why."""
        return cls(DeliveryRecord(call, "skipped", reason=reason), filtered=True)

    @property
    def status(self) -> str:
        """The record's status, or `filtered`: Segment's own stage, before any destination."""
        return "filtered" if self.filtered else self.record.status

    def to_dict(self) -> dict[str, Any]:
        """The delivery record as JSON, with the gateway's status."""
        return self.record.to_dict() | {"status": self.status}


def _reasons(outcome: Outcome) -> list[str]:
    record = outcome.record
    problems = [str(problem) for problem in record.problems]
    if outcome.status == "invalid":
        return [f"invalid Segment call: {problem}" for problem in problems]
    if record.reason is None:
        return problems
    if record.path and not problems:
        return [f"{record.path}: {record.reason}"]
    return [record.reason, *problems]


def entry(outcome: Outcome) -> dict[str, Any]:
    """The journal entry the gateway writes for a call Akita has no entry of."""
    record, message = outcome.record, outcome.record.message
    call = record.call if isinstance(record.call, dict) else {}
    kind = message["type"] if message else call.get("type")
    person = (message.get("person_id") or message.get("anonymous_id") if message else
              stringify_id(call.get("userId")) or stringify_id(call.get("anonymousId")))
    message_id = record.message_id or call.get("messageId")
    return {
        "status": JOURNAL_STATUS[outcome.status],
        "type": kind if isinstance(kind, str) else None,
        "message_id": message_id if isinstance(message_id, str) else None,
        "person": person,
        "reasons": _reasons(outcome),
        "akita_message": message,
        "segment_call": record.call,
        "response": record.response,
    }


def journal(backend: Backend, workspace_id: str, outcomes: Sequence[Outcome]) -> None:
    """Attach each sent call to Akita's entry; journal the rest (table above)."""
    sent = [i for i, outcome in enumerate(outcomes)
            if outcome.status in ANSWERED_STATUSES and outcome.record.message_id]
    missing = backend.attach_segment_calls(
        workspace_id, [(outcomes[i].record.message_id, outcomes[i].record.call) for i in sent])
    attached = set(sent) - {sent[position] for position in missing}
    own = [entry(outcome) for i, outcome in enumerate(outcomes) if i not in attached]
    if own:
        backend.record(workspace_id, own)
