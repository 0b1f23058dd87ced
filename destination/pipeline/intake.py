"""What Segment's servers do to a call when it arrives, as pure functions of the call and the
moment it was received.

Applied in this order, each step to a new top-level object (the caller's call never changes,
and its nested values are shared, never modified):

1. Type: the path's, for a `/v1/<type>` request (`kind`), over the body's; else the legacy
   `action` field of old HTTP API bodies when there is no `type`.
2. Batch defaults: the batch's `context` and `integrations` are merged into each call, one
   level deep, the call's own keys winning (`context.library` from the batch, `context.page`
   from the call). The batch's `sentAt` is the call's when it has none.
3. `writeKey` is removed: the key chose the workspace and must never be stored or shown.
4. `messageId` when missing (absent or null): a new unique id, as the HTTP API assigns one to
   every event it ingests without one (the duplicate-data guide). Two hand-written calls alike
   in every field are two events, not one; every official SDK sends its own id anyway.
5. `receivedAt`: the receiving clock, always (a client's value is replaced, as Segment does).
6. `timestamp`, by the kind of library (Spec, Timestamps):
   - device mode (analytics.js and the mobile libraries, by `context.library.name`): the
     library's `timestamp` is the device's clock. It becomes `originalTimestamp`, and with a
     `sentAt` the timestamp is corrected: `receivedAt - (sentAt - originalTimestamp)`, so a
     device whose clock runs hours off lands at the right time.
   - server libraries and the HTTP API: a given `timestamp` is kept as it is (that is how
     history is imported); with none, `originalTimestamp` corrected by `sentAt` as above, or
     `originalTimestamp` alone, or else `receivedAt`.
   A value that does not parse is left where the sender put it, so the contract's validator
   names the field the sender sent, never one this step wrote.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from contract.timestamps import parse_timestamp, to_wire
from destination.inputs import with_envelope

SECRET_FIELDS = ("writeKey",)
# `context.library.name` of the libraries that run on the user's device (device mode).
DEVICE_LIBRARIES = frozenset({
    "analytics.js", "analytics-next", "analytics-ios", "analytics-android", "analytics-swift",
    "analytics-kotlin", "analytics-kotlin-android", "analytics-react-native",
    "@segment/analytics-react-native", "analytics-flutter", "analytics-xamarin",
})


def _moment(value: Any) -> datetime | None:
    """A parsed timestamp, or None for anything the validator will have to report."""
    if not isinstance(value, str):
        return None
    try:
        return parse_timestamp(value)
    except ValueError:
        return None


def assigned_message_id() -> str:
    """A new unique messageId for a call that arrived without one."""
    return f"api-{uuid.uuid4()}"


def is_device_mode(call: Mapping[str, Any]) -> bool:
    """Whether the call comes from a library whose `timestamp` is a device's clock."""
    context = call.get("context")
    library = context.get("library") if isinstance(context, Mapping) else None
    name = library.get("name") if isinstance(library, Mapping) else None
    return isinstance(name, str) and name in DEVICE_LIBRARIES


def corrected_timestamp(call: Mapping[str, Any], received_at: datetime,
                        device_time: str | None = None) -> str | None:
    """`receivedAt - (sentAt - device time)`, the device time without a `sentAt`, `receivedAt`
    without either; None when a value given cannot be read. The device time is
    `originalTimestamp` unless given."""
    original = device_time if device_time is not None else call.get("originalTimestamp")
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
    merged = with_envelope(call, batch)  # a new top-level object
    if merged.get("sentAt") is None and batch.get("sentAt") is not None:
        merged["sentAt"] = batch["sentAt"]
    return merged


def _typed(call: dict[str, Any], kind: str | None) -> dict[str, Any]:
    if kind is not None:
        return {**call, "type": kind}
    if call.get("type") is None and isinstance(call.get("action"), str):
        typed = {**call, "type": call["action"].lower()}
        del typed["action"]
        return typed
    return call


def _stamp_time(call: dict[str, Any], received_at: datetime) -> None:
    given = call.get("timestamp")
    if given is not None and _moment(given) is None:
        return  # the validator names $.timestamp, as sent
    if given is not None:
        call.setdefault("originalTimestamp", given)
        if not is_device_mode(call):
            return  # a server library's or the HTTP API's: kept as it is
    call.pop("timestamp", None)
    corrected = corrected_timestamp(call, received_at, device_time=given)
    if corrected is not None:
        call["timestamp"] = corrected


def intake(call: Any, received_at: datetime, *, batch: Mapping[str, Any] | None = None,
           kind: str | None = None) -> Any:
    """The call as Segment hands it on (module docstring); non-objects unchanged.

    `received_at` must be timezone-aware: the receiving clock when the request arrived.
    """
    if not isinstance(call, dict):
        return call
    # A new top-level object (with_envelope copies it): every field this step writes is
    # top-level, so nested values are shared with the caller's call, as nothing downstream
    # modifies them. A deep copy cost a third of a call's whole pipeline.
    arrived = with_batch_defaults(_typed(call, kind), batch or {})
    for name in SECRET_FIELDS:
        arrived.pop(name, None)
    if arrived.get("messageId") is None:
        arrived["messageId"] = assigned_message_id()
    arrived["receivedAt"] = to_wire(received_at)
    _stamp_time(arrived, received_at)
    return arrived
