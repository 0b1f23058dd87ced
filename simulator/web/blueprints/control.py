"""`/_sim/...`: control and inspection of the simulator, JSON in and out.

Meant for the person or test running the simulator, so it takes no API key: it is why the
server binds to 127.0.0.1 unless told otherwise. Lists come wrapped in an object
(`{"contacts": [...]}`) so fields can be added without breaking clients. Person and account ids
may contain `/`, hence the `path` converters.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from simulator import __version__
from simulator.errors import InvalidParameter
from simulator.service import JOURNAL_PAGE
from simulator.service.faults import FaultPlan
from simulator.web.blueprints.common import int_arg, json_body, simulator, streamed_json

bp = Blueprint("control", __name__, url_prefix="/_sim")

_WORKSPACE = "/workspaces/<workspace_id>"
_CREATE_FIELDS = ("name", "api_key")
_CONTROL_BODY_BYTES = 64 * 1024


@bp.get("/health")
def health() -> dict[str, Any]:
    """Liveness and version, for scripts waiting for the server to come up."""
    return {"status": "ok", "version": __version__}


@bp.get("/workspaces")
def list_workspaces() -> dict[str, Any]:
    """Every workspace (never its key)."""
    return {"workspaces": simulator().list_workspaces()}


@bp.post("/workspaces")
def create_workspace() -> tuple[dict[str, Any], int]:
    """A new workspace; the answer is the only place its API key is ever shown."""
    fields: Any = json_body(_CONTROL_BODY_BYTES) if request.content_length else {}
    if not isinstance(fields, dict):
        raise InvalidParameter("the body must be a JSON object with optional name and api_key")
    unknown = sorted(set(fields) - set(_CREATE_FIELDS))
    if unknown:
        raise InvalidParameter(
            f"unknown field {', '.join(unknown)}; allowed: {', '.join(_CREATE_FIELDS)}"
        )
    return simulator().create_workspace(fields.get("name"), fields.get("api_key")), 201


@bp.get(_WORKSPACE)
def workspace(workspace_id: str) -> dict[str, Any]:
    """One workspace with its message count."""
    return simulator().workspace(workspace_id)


@bp.get(f"{_WORKSPACE}/state")
def state(workspace_id: str) -> Response:
    """The full snapshot: accounts, contacts, pending, visitors, sessions, counts."""
    return streamed_json(simulator().snapshot(workspace_id))


@bp.get(f"{_WORKSPACE}/accounts")
def accounts(workspace_id: str) -> Response:
    """Every account with its contacts."""
    return streamed_json({"accounts": simulator().accounts(workspace_id)})


@bp.get(f"{_WORKSPACE}/accounts/<path:organization_id>")
def account(workspace_id: str, organization_id: str) -> dict[str, Any]:
    """One account."""
    return simulator().account(workspace_id, organization_id)


@bp.get(f"{_WORKSPACE}/contacts")
def contacts(workspace_id: str) -> Response:
    """Every contact, placed or pending."""
    return streamed_json({"contacts": simulator().contacts(workspace_id)})


@bp.get(f"{_WORKSPACE}/contacts/<path:person_id>")
def contact(workspace_id: str, person_id: str) -> dict[str, Any]:
    """One contact with its account, traits, account history and sessions."""
    return simulator().contact(workspace_id, person_id)


@bp.get(f"{_WORKSPACE}/pending")
def pending(workspace_id: str) -> Response:
    """Contacts without an account yet, each with the reason."""
    return streamed_json({"pending": simulator().pending(workspace_id)})


@bp.get(f"{_WORKSPACE}/visitors")
def visitors(workspace_id: str) -> Response:
    """Anonymous visitors not tied to a contact."""
    return streamed_json({"visitors": simulator().visitors(workspace_id)})


@bp.get(f"{_WORKSPACE}/sessions")
def sessions(workspace_id: str) -> Response:
    """Every session, or one person's with `?person=`."""
    return streamed_json({"sessions": simulator().sessions(workspace_id,
                                                           request.args.get("person"))})


@bp.get(f"{_WORKSPACE}/journal")
def journal(workspace_id: str) -> dict[str, Any]:
    """Journal entries newest first; `next_before` pages further back (null at the end)."""
    args = request.args
    limit = int_arg("limit")
    limit = JOURNAL_PAGE if limit is None else limit
    entries = simulator().journal(
        workspace_id,
        status=args.get("status"),
        type=args.get("type"),
        person=args.get("person"),
        before=int_arg("before"),
        limit=limit,
    )
    more = len(entries) == limit
    return {"entries": entries, "next_before": entries[-1]["id"] if more else None}


@bp.get(f"{_WORKSPACE}/faults")
def faults(workspace_id: str) -> dict[str, Any]:
    """The workspace's fault plan, the seed in use, the rest of its sequence, and counts."""
    return simulator().faults_of(workspace_id).describe()


@bp.put(f"{_WORKSPACE}/faults")
def set_faults(workspace_id: str) -> dict[str, Any]:
    """Inject faults into the workspace's ingest from now on (the body is the plan)."""
    target = simulator().faults_of(workspace_id)
    return target.configure(FaultPlan.from_json(json_body(_CONTROL_BODY_BYTES)))


@bp.delete(f"{_WORKSPACE}/faults")
def clear_faults(workspace_id: str) -> dict[str, Any]:
    """Inject nothing into the workspace's ingest any more, whatever the server's default."""
    return simulator().faults_of(workspace_id).configure(FaultPlan())


@bp.delete(_WORKSPACE)
def delete_workspace(workspace_id: str) -> dict[str, Any]:
    """Remove a workspace, its data and its key."""
    simulator().delete_workspace(workspace_id)
    return {"deleted": workspace_id}


@bp.post(f"{_WORKSPACE}/reset")
def reset_workspace(workspace_id: str) -> dict[str, Any]:
    """Empty one workspace (its key stays valid)."""
    simulator().reset(workspace_id)
    return {"reset": [workspace_id]}


@bp.post("/reset")
def reset_all() -> dict[str, Any]:
    """Empty every workspace (keys stay valid)."""
    service = simulator()
    service.reset()
    return {"reset": [ws["id"] for ws in service.list_workspaces()]}
