"""What Segment's servers do to a call between the SDK and a destination, as pure functions.

Applied in this order, each step to a copy (the caller's call never changes):

1. Batch defaults: the batch's `context` and `integrations` are merged into each call, one
   level deep, the call's own keys winning (`context.library` from the batch, `context.page`
   from the call). The batch's `sentAt` is the call's when it has none.
2. `writeKey` is removed: the key chose the workspace and must never be stored or shown.
3. `messageId` when missing (absent or null): derived from the call with the mapping's own
   rule (`sha256:` of the canonical call, without `sentAt` and `receivedAt`), so a call
   re-sent after a timeout is de-duplicated by Akita instead of counted twice. Segment itself
   draws a random id; every official SDK sends one, so only hand-written calls meet this.
4. `receivedAt`: the gateway's clock, always (a client's value is replaced, as Segment does).
5. `timestamp`:
   - given by the call: kept as it is. Segment documents that server libraries and the HTTP
     API may set `timestamp` by hand (to import history), and analytics-python and
     analytics-node send only `timestamp`; its value is also the `originalTimestamp` when the
     call has none.
   - else `originalTimestamp` and `sentAt` given: `receivedAt - (sentAt - originalTimestamp)`,
     Segment's correction for a client clock that is off.
   - else `originalTimestamp` alone: it, as it is.
   - else: `receivedAt`.
   A value that does not parse is left for the contract's validator to report.

`filter_reason` then says whether `integrations` keep the call from Akita: `"Akita": false`
(or Akita's catalog names) filters it; `"All": false` filters it unless Akita is named with
`true` or an options object. Names are case sensitive, as in Segment.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from contract.limits import too_deep
from contract.mapping import derived_message_id
from contract.timestamps import parse_timestamp, to_wire
from destination.inputs import with_envelope

# The names a Segment user may give Akita in `integrations`: the short name and the catalog's.
DESTINATION_NAMES = ("Akita", "Akita User Tracking", "Akita Customer Success")
SECRET_FIELDS = ("writeKey",)


def _moment(value: Any) -> datetime | None:
    """A parsed timestamp, or None for anything the validator will have to report."""
    if not isinstance(value, str):
        return None
    try:
        return parse_timestamp(value)
    except ValueError:
        return None


def corrected_timestamp(call: Mapping[str, Any], received_at: datetime) -> str | None:
    """The `timestamp` the rules above give a call that has none; None if it cannot have one."""
    original = call.get("originalTimestamp")
    if original is None:
        return to_wire(received_at)
    started, sent = _moment(original), _moment(call.get("sentAt"))
    if started is None:
        return None
    if call.get("sentAt") is None:
        return to_wire(started)
    if sent is None:
        return None
    try:
        return to_wire(received_at - (sent - started))
    except OverflowError:  # a skew that lands before year 1 or after 9999
        return None


def with_batch_defaults(call: dict[str, Any], batch: Mapping[str, Any]) -> dict[str, Any]:
    """The call with the batch's context, integrations and sentAt under its own values; the
    batch's sentAt matters here because it corrects the call's clock."""
    merged = with_envelope(call, batch)  # enrich() deep-copies the result
    if merged.get("sentAt") is None and batch.get("sentAt") is not None:
        merged["sentAt"] = batch["sentAt"]
    return merged


def enrich(call: Any, received_at: datetime, batch: Mapping[str, Any] | None = None) -> Any:
    """The call as Segment hands it to a destination (module docstring); non-objects unchanged.

    `received_at` must be timezone-aware: it is the gateway's clock when the request arrived.
    """
    if not isinstance(call, dict):
        return call
    if too_deep(call) is not None:  # deepcopy would exhaust recursion; validation names it
        return {name: value for name, value in call.items() if name not in SECRET_FIELDS}
    enriched = copy.deepcopy(with_batch_defaults(call, batch or {}))
    for name in SECRET_FIELDS:
        enriched.pop(name, None)
    if enriched.get("messageId") is None:
        enriched["messageId"] = derived_message_id(enriched)
    enriched["receivedAt"] = to_wire(received_at)
    if enriched.get("timestamp") is not None:
        enriched.setdefault("originalTimestamp", enriched["timestamp"])
    else:
        enriched.pop("timestamp", None)
        corrected = corrected_timestamp(enriched, received_at)
        if corrected is not None:
            enriched["timestamp"] = corrected
    return enriched


def filter_reason(call: Any) -> str | None:
    """Why `integrations` keep this call from Akita, or None when Akita should get it."""
    integrations = call.get("integrations") if isinstance(call, Mapping) else None
    if not isinstance(integrations, Mapping):
        return None
    for name in DESTINATION_NAMES:
        if name in integrations:
            if integrations[name] is False:
                return f'integrations["{name}"] is false: the call is not sent to Akita'
            return None  # true, or an options object: enabled even when All is false
    if integrations.get("All") is False:
        return ('integrations.All is false and Akita is not enabled by name '
                '(add "Akita": true to send it)')
    return None
