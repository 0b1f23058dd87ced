"""A Segment call checked against the contract and mapped: the first step of every delivery.

Validation comes before mapping so that a call that breaks the contract is reported with the
field at fault and never reaches Akita; `akita-map` and the delivery client both start here,
so mapping without sending shows exactly what sending would send.
"""

from __future__ import annotations

from typing import Any

from contract import validate_segment_call
from contract.mapping import Skip, map_call
from destination.report import DeliveryRecord

INVALID_REASON = "the call breaks the Segment contract"


def prepare(call: Any) -> DeliveryRecord:
    """A record with status `invalid` (and its problems), `skipped` (and why), or `mapped`."""
    problems = validate_segment_call(call)
    if problems:
        return DeliveryRecord(call, "invalid", reason=INVALID_REASON, path=problems[0].path,
                              problems=tuple(problems))
    outcome = map_call(call)
    if isinstance(outcome, Skip):
        return DeliveryRecord(call, "skipped", reason=outcome.reason, path=outcome.path)
    return DeliveryRecord(call, "mapped", message=outcome.message)
