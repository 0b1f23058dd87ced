"""What happened to each call, as Segment's Event Delivery shows it.

A `DeliveryRecord` is one call's story: what the user sent, the Akita message it became, the
request that carried it, Akita's answer, how many attempts it took, and a status:

| status | meaning |
|---|---|
| mapped | ready to send (the final status when only mapping, as `akita-map` without `--send`) |
| filtered | kept from Akita by the call's `integrations` (`reason`: which setting) |
| delivered | Akita accepted it |
| duplicate | a repeat: Segment's edge saw the id within its window, or Akita had it already |
| skipped | nothing to send to Akita (`reason`, e.g. a screen call) |
| invalid | breaks the Segment contract; never sent (`problems`: path and reason each) |
| rejected | Akita answered a 4xx retrying cannot fix (`reason`: its message; `problems`: items) |
| failed | no success after the retries allowed (`reason`: the last error) |

A batch can carry 2,500 messages, so a record shows the exchange as it concerns its own message:
the request body holds that message alone with its place in the batch (`batch.index`,
`batch.size`), and an error body keeps only the item errors about it. The `Authorization`
header is always redacted: reports are printed and journaled, API keys must not be.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from contract.problems import Problem

Status = Literal["mapped", "delivered", "duplicate", "filtered", "skipped", "invalid",
                 "rejected", "failed"]
STATUSES: tuple[Status, ...] = ("mapped", "delivered", "duplicate", "filtered", "skipped",
                                "invalid", "rejected", "failed")
PROBLEM_STATUSES = frozenset({"invalid", "rejected", "failed"})
REDACTED = "[redacted]"


@dataclass
class DeliveryRecord:
    """One call and what became of it; mutated only by the client that delivers it."""

    call: Any
    status: Status
    message: dict[str, Any] | None = None
    reason: str | None = None
    path: str | None = None
    problems: tuple[Problem, ...] = ()
    request: dict[str, Any] | None = None
    response: dict[str, Any] | None = None
    attempts: int = 0
    note: str | None = None

    @property
    def message_id(self) -> str | None:
        """The Akita message id, stable across every attempt; None when nothing was mapped."""
        return self.message["message_id"] if self.message else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, every key always present so readers need no guessing."""
        return {
            "status": self.status,
            "message_id": self.message_id,
            "reason": self.reason,
            "path": self.path,
            "problems": [{"path": p.path, "reason": p.reason, "kind": p.kind}
                         for p in self.problems],
            "attempts": self.attempts,
            "note": self.note,
            "call": self.call,
            "message": self.message,
            "request": self.request,
            "response": self.response,
        }


@dataclass
class DeliveryReport:
    """The records of a set of calls, in the order the calls came, and their counts."""

    records: list[DeliveryRecord] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        """Count per status (every status listed, zeros included) and the total."""
        counts = Counter(record.status for record in self.records)
        return {status: counts[status] for status in STATUSES} | {"total": len(self.records)}

    @property
    def ok(self) -> bool:
        """True when nothing was invalid, rejected or failed."""
        return not any(record.status in PROBLEM_STATUSES for record in self.records)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the summary and every record."""
        return {"summary": self.summary(), "records": [r.to_dict() for r in self.records]}


def redact(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers fit to print: the Authorization value (it carries the API key) replaced."""
    return {name: REDACTED if name.lower() == "authorization" else value
            for name, value in headers.items()}


def request_view(url: str, headers: Mapping[str, str], body: Any,
                 index: int, size: int) -> dict[str, Any]:
    """The request as it concerns one message: its body (its item of a batch, or the call
    itself on the direct wire) and where it sat."""
    return {"method": "POST", "url": url, "headers": redact(headers),
            "body": body, "batch": {"index": index, "size": size}}


def item_errors(body: Any) -> list[dict[str, Any]]:
    """The per-item errors of an Akita error body (`errors`), [] when it names none."""
    errors = body.get("errors") if isinstance(body, dict) else None
    return [e for e in errors if isinstance(e, dict)] if isinstance(errors, list) else []


def response_view(status: int, body: Any, errors: Iterable[dict[str, Any]] | None = None
                  ) -> dict[str, Any]:
    """Akita's answer as it concerns one message: with `errors`, only those item errors kept."""
    if errors is not None and isinstance(body, dict):
        body = body | {"errors": list(errors)}
    return {"status": status, "body": body}
