"""Segment's partner wire: one raw Spec call a request, mapped here with the contract's mapping.

Segment delivers to a partner destination by POSTing each call as the customer sent it (the
partner-destination docs), so Akita would map calls itself. A call is validated against the
contract (400 naming each field), mapped (`contract.mapping`: screen and alias are 501, the
answer Segment expects for an unsupported type; any other skip, such as an identify without a
userId, is a 400 with its reason), then ingested as a batch of one, so the same rules apply
whichever wire brought it; the journal entry shows the call beside its message. The
`X-Segment-Settings` header (base64 JSON of the destination's other settings) is read, and the
last one seen is kept per workspace for the dashboard.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any, NoReturn

from contract import validate_segment_call
from contract.mapping import Skip, map_call
from simulator.errors import BadRequest, InvalidBody, SimulatorError, Unsupported

if TYPE_CHECKING:
    from simulator.service.simulator import Simulator

UNSUPPORTED = ("screen", "alias")


def read_settings(header: str | None) -> dict[str, Any] | None:
    """The destination settings an `X-Segment-Settings` header carries; BadRequest when the
    header is there but not base64 of a JSON object."""
    if header is None:
        return None
    try:
        settings = json.loads(base64.b64decode(header.strip(), validate=True))
    except (binascii.Error, ValueError):
        raise BadRequest("X-Segment-Settings is not base64 of a JSON object") from None
    if not isinstance(settings, dict):
        raise BadRequest("X-Segment-Settings is not base64 of a JSON object")
    return settings


class PartnerWire:
    """Calls as Segment delivers them to partner destinations, into one simulator."""

    def __init__(self, simulator: Simulator) -> None:
        self._simulator = simulator
        self.settings: dict[str, dict[str, Any]] = {}  # workspace -> the last settings seen

    def _refuse(self, workspace_id: str, call: Any, error: SimulatorError) -> NoReturn:
        """Journal a refused call with its reasons, then raise `error`."""
        message_id, kind = (call.get("messageId"), call.get("type")) if isinstance(
            call, dict) else (None, None)
        self._simulator.record(workspace_id, [{
            "status": "rejected", "type": kind if isinstance(kind, str) else None,
            "message_id": message_id if isinstance(message_id, str) else None,
            "person": None, "reasons": [f"{d['path']}: {d['reason']}" for d in error.details],
            "segment_call": call, "response": {"status": error.status, "body": error.to_body()},
        }])
        raise error

    def deliver(self, workspace_id: str, call: Any,
                settings: dict[str, Any] | None = None) -> dict[str, int]:
        """Validate, map and apply one Segment call; Akita's counts, as for a batch."""
        if settings is not None:
            self.settings[workspace_id] = settings
        problems = validate_segment_call(call)
        if problems:
            self._refuse(workspace_id, call, InvalidBody(
                "the Segment call breaks the contract; nothing was applied",
                [{"path": p.path, "reason": p.reason} for p in problems]))
        mapped = map_call(call)
        if isinstance(mapped, Skip):
            error = Unsupported if call.get("type") in UNSUPPORTED else InvalidBody
            self._refuse(workspace_id, call,
                         error(mapped.reason, [{"path": mapped.path, "reason": mapped.reason}]))
        result = self._simulator.ingest(workspace_id, {"batch": [mapped.message]})
        self._simulator.attach_segment_calls(workspace_id,
                                             [(mapped.message["message_id"], call)])
        return result
