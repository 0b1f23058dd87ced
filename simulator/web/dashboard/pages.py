"""The dashboard's pages: workspaces, accounts, contacts, pending, visitors, journal, messages.

Each page asks the `Simulator` for exactly what it shows: one page of a list (`page()`), one
contact or account by id, one journal page by `before` id. Nothing reads a whole snapshot, so
a contact page costs the same in a workspace of a hundred messages or a million.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from simulator.store import JOURNAL_STATUSES
from simulator.web import gateway_of
from simulator.web.blueprints.common import int_arg, simulator
from simulator.web.dashboard import render
from simulator.web.dashboard.blueprint import bp

PER_PAGE = 50
SESSIONS_PER_PAGE = 10
ITEMS_PER_SESSION = 200  # beyond this a session's items are counted, not listed
REFRESH_SECONDS = 5
JOURNAL_TYPES = ("contact", "account", "event", "page", "identify", "group", "track", "screen",
                 "alias")
_WS = "/workspaces/<workspace_id>"


def pager(total: int, per_page: int = PER_PAGE) -> render.Pager:
    """The requested page (`?page=`) of a list of `total` items."""
    return render.Pager(int_arg("page", minimum=1, form=True) or 1, per_page, total)


def _page(workspace_id: str, template: str, **context: object) -> str:
    """Render a workspace page: every one shows the workspace's name and the tabs."""
    workspace = simulator().workspace(workspace_id)
    return render_template(f"dashboard/{template}", workspace=workspace, **context)


@bp.get("/")
def index() -> str:
    """The workspace picker, oldest first."""
    workspaces = simulator().list_workspaces()
    paging = pager(len(workspaces))
    shown = workspaces[paging.offset:paging.offset + PER_PAGE]
    return render_template("dashboard/index.html", workspaces=shown, paging=paging)


@bp.post("/workspaces")
def create_workspace() -> str:
    """A new workspace; its API key is shown on this page only (the store keeps a digest)."""
    created = simulator().create_workspace(request.form.get("name", "").strip() or None)
    return render_template("dashboard/created.html", created=created)


@bp.get(_WS)
def workspace(workspace_id: str) -> str:
    """What a workspace holds, in counts, with links to each list and the reset button, and
    how the local Segment's deliveries into it stand (retried, given up), as Event Delivery
    shows them."""
    return _page(workspace_id, "workspace.html", counts=simulator().counts(workspace_id),
                 deliveries=simulator().deliveries(workspace_id),
                 outcomes=simulator().outcomes(workspace_id))


@bp.post(f"{_WS}/deliveries/retry")
def retry_deliveries(workspace_id: str) -> Response:
    """Try every call awaiting retry now, through the local Segment (when it is served)."""
    segment = gateway_of(current_app)
    if segment is None:
        flash("This server runs without the local Segment: there is nothing to retry.")
    else:
        done = segment.queue.retry(workspace_id=workspace_id, everything=True)
        flash(f"Retried: {done['delivered']} delivered, {done['awaiting_retry']} still "
              f"waiting, {done['discarded']} discarded.")
    return redirect(url_for(".workspace", workspace_id=workspace_id), code=303)


@bp.post(f"{_WS}/delete")
def delete(workspace_id: str) -> Response:
    """Remove a workspace, its data and its key."""
    name = simulator().workspace(workspace_id)["name"]
    simulator().delete_workspace(workspace_id)
    flash(f"The workspace {name} was deleted, with its data; its key no longer works.")
    return redirect(url_for(".index"), code=303)


@bp.post(f"{_WS}/reset")
def reset(workspace_id: str) -> Response:
    """Forget every message of a workspace; its key stays valid."""
    simulator().reset(workspace_id)
    flash("The workspace was reset: every message, contact, account and journal entry is gone.")
    return redirect(url_for(".workspace", workspace_id=workspace_id), code=303)


def _listing(workspace_id: str, kind: str) -> tuple[list[dict], render.Pager]:
    """One page of a list the engine keeps sorted by id, and where it sits."""
    page = int_arg("page", minimum=1, form=True) or 1
    found = simulator().page(workspace_id, kind, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    return found["items"], render.Pager(page, PER_PAGE, found["total"])


@bp.get(f"{_WS}/accounts")
def accounts(workspace_id: str) -> str:
    """Accounts by id, with how many contacts each holds."""
    items, paging = _listing(workspace_id, "accounts")
    return _page(workspace_id, "accounts.html", items=items, paging=paging)


@bp.get(f"{_WS}/contacts")
def contacts(workspace_id: str) -> str:
    """Contacts by id, placed or pending."""
    items, paging = _listing(workspace_id, "contacts")
    return _page(workspace_id, "contacts.html", items=items, paging=paging)


@bp.get(f"{_WS}/pending")
def pending(workspace_id: str) -> str:
    """Contacts without an account, why, and the calls that would place each of them."""
    items, paging = _listing(workspace_id, "pending")
    calls = {item["person_id"]: render.placing_calls(item["person_id"]) for item in items}
    return _page(workspace_id, "pending.html", items=items, paging=paging, calls=calls)


@bp.get(f"{_WS}/visitors")
def visitors(workspace_id: str) -> str:
    """Anonymous ids nobody has identified on yet."""
    items, paging = _listing(workspace_id, "visitors")
    return _page(workspace_id, "visitors.html", items=items, paging=paging)


@bp.get(f"{_WS}/accounts/<path:organization_id>")
def account(workspace_id: str, organization_id: str) -> str:
    """An account: its traits with where each came from, and its contacts a page at a time."""
    found = simulator().account(workspace_id, organization_id)
    paging = pager(len(found["contacts"]))
    members = found["contacts"][paging.offset:paging.offset + PER_PAGE]
    return _page(workspace_id, "account.html", account=found, members=members, paging=paging)


def _timeline(shown: list[dict], paging: render.Pager) -> dict[str, object]:
    """What the sessions part of a page needs: a page of sessions laid out on a timeline."""
    lanes = render.timeline(shown, items_per_lane=ITEMS_PER_SESSION)
    return {"lanes": lanes, "paging": paging, "items_per_session": ITEMS_PER_SESSION}


@bp.get(f"{_WS}/contacts/<path:person_id>")
def contact(workspace_id: str, person_id: str) -> str:
    """A contact: account, traits and the message that set each, history, sessions.

    Only the sessions on this page are built, newest first, so a contact with thousands of
    sessions costs what one with ten does.
    """
    page = int_arg("page", minimum=1, form=True) or 1
    found = simulator().contact_page(workspace_id, person_id, limit=SESSIONS_PER_PAGE,
                                   offset=(page - 1) * SESSIONS_PER_PAGE)
    paging = render.Pager(page, SESSIONS_PER_PAGE, found["session_count"])
    organization_id = found["organization_id"]
    placed_in = simulator().account(workspace_id, organization_id) if organization_id else None
    placing = (render.placing_calls(person_id, render.named_account(found))
               if organization_id is None else [])
    return _page(workspace_id, "contact.html", contact=found, account=placed_in,
                 placing=placing, **_timeline(found["sessions"], paging))


@bp.get(f"{_WS}/visitors/<path:anonymous_id>")
def visitor(workspace_id: str, anonymous_id: str) -> str | Response:
    """An anonymous visitor and its sessions, newest first; once identified, its contact."""
    owner = simulator().owner(workspace_id, anonymous_id)
    if owner is not None:
        flash(f"The visitor {anonymous_id} was identified: its events, pages and sessions are "
              f"now the contact {owner}'s.")
        return redirect(url_for(".contact", workspace_id=workspace_id, person_id=owner),
                        code=303)
    found = simulator().visitor(workspace_id, anonymous_id)
    newest = found["sessions"][::-1]
    paging = pager(len(newest), SESSIONS_PER_PAGE)
    shown = newest[paging.offset:paging.offset + SESSIONS_PER_PAGE]
    return _page(workspace_id, "visitor.html", visitor=found, **_timeline(shown, paging))


@bp.get(f"{_WS}/messages/<path:message_id>")
def message(workspace_id: str, message_id: str) -> str:
    """An accepted Akita message, e.g. the one that set a trait's value."""
    found = simulator().message(workspace_id, message_id)
    entries = simulator().journal(workspace_id, message_id=message_id, status="accepted",
                                  limit=1)
    return _page(workspace_id, "message.html", message=found,
                 entry=entries[0] if entries else None)


@bp.get(f"{_WS}/journal")
def journal(workspace_id: str) -> str:
    """Journal entries newest first, filtered by status, type and person, paged by id."""
    filters = {name: request.args.get(name, "").strip() or None
               for name in ("status", "type", "person", "message_id")}
    before = int_arg("before", minimum=1, form=True)
    entries = simulator().journal(workspace_id, before=before, limit=PER_PAGE + 1, **filters)
    older = entries[PER_PAGE - 1]["id"] if len(entries) > PER_PAGE else None
    refresh = REFRESH_SECONDS if request.args.get("refresh") and before is None else None
    return _page(workspace_id, "journal.html", entries=entries[:PER_PAGE], filters=filters,
                 older=older, before=before, refresh=refresh, statuses=JOURNAL_STATUSES,
                 types=JOURNAL_TYPES)
