"""The playground: what does this Segment call become, and what does sending it change?

Checking never changes anything, so it is also what a GET with `?example=` or `?call=` shows.
The answer comes from the Segment gateway (`gateway_of(app)`): its `preview()`
runs the contract's validator and the destination's mapping, its `send()` delivers through
the same path as `/v1/...`. Nothing of either is written again here. A server started
without the gateway (`akita-sim serve --no-segment`) can still say whether a call is valid,
through the contract, and says plainly that mapping and sending are unavailable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, render_template, request

from contract import validate_segment_call
from simulator.web import gateway_of
from simulator.web.blueprints.common import simulator
from simulator.web.dashboard import changes
from simulator.web.dashboard.blueprint import bp
from simulator.web.dashboard.examples import EXAMPLES, example

NO_GATEWAY = ("This server runs without the local Segment (akita-sim serve --no-segment), so "
              "calls can be checked against the contract but not mapped or sent.")


@dataclass
class Checked:
    """What the playground says about the text in its box."""

    status: str  # unreadable, invalid, valid (no gateway), skipped, filtered, mapped
    call: Any = None
    problems: list[dict[str, str]] = field(default_factory=list)
    reason: str | None = None
    message: dict[str, Any] | None = None
    enriched: dict[str, Any] | None = None


def gateway() -> Any:
    """The Segment gateway of this app, or None when it was started without it."""
    return gateway_of(current_app)


def check(text: str) -> Checked:
    """Parse, validate and map the text of a call, changing nothing."""
    try:
        call = json.loads(text)
    except ValueError as error:
        return Checked("unreadable", reason=f"not JSON: {error}")
    segment = gateway()
    if segment is None or not isinstance(call, dict):
        problems = [{"path": p.path, "reason": p.reason} for p in validate_segment_call(call)]
        return Checked("invalid" if problems else "valid", call, problems)
    preview = segment.preview(call)
    return Checked(preview["status"], call, list(preview["problems"]), preview["reason"],
                   preview["message"], preview["call"])


def send(workspace_id: str, write_key: str, checked: Checked) -> dict[str, Any]:
    """Send the call with `write_key` (which must be this workspace's), and compare what the
    message names before and after. Returns the delivery records and the changes, or an error."""
    owner = simulator().workspace_for_key(write_key) if write_key else None
    if owner != workspace_id:
        return {"error": "Enter this workspace's write key (the API key it was created with): "
                         + ("this one belongs to no workspace on this server." if owner is None
                            else "this one belongs to another workspace.")}
    targets = changes.touched(simulator(), workspace_id, checked.message)
    before = changes.look(simulator(), workspace_id, targets)
    records = gateway().send(write_key, [checked.call])
    after = changes.look(simulator(), workspace_id, targets)
    return {"records": records, "changes": changes.compare(targets, before, after)}


def _default_key(workspace_id: str) -> str:
    """The key the server was started with, when it is this workspace's: saves typing it."""
    key = current_app.config.get("AKITA_API_KEY") or ""
    return key if key and simulator().workspace_for_key(key) == workspace_id else ""


@bp.route("/workspaces/<workspace_id>/playground", methods=["GET", "POST"])
def playground(workspace_id: str) -> str:
    """Check a call (GET with ?example= or ?call=, or POST), or send it (POST, action=send)."""
    workspace = simulator().workspace(workspace_id)
    if request.method == "POST":
        text = request.form.get("call", "")
        write_key = request.form.get("write_key", "").strip()
        action = request.form.get("action", "check")
    else:
        chosen = example(request.args.get("example", ""))
        text = chosen.text if chosen else request.args.get("call", "")
        write_key, action = _default_key(workspace_id), "check"
    checked = check(text) if text.strip() else None
    sent = None
    if action == "send" and checked is not None and checked.status != "unreadable":
        sent = send(workspace_id, write_key, checked) if gateway() else {"error": NO_GATEWAY}
    return render_template(
        "dashboard/playground.html", workspace=workspace, examples=EXAMPLES, text=text,
        write_key=write_key, checked=checked, sent=sent, has_gateway=gateway() is not None,
        no_gateway=NO_GATEWAY, absent=changes.ABSENT,
    )
