"""Akita's rules over partitions: the engine's own `Workspace`, given whole people at a time.

Every rule of the engine is local to a person or an account once two questions that cross
partitions are answered first:

1. Which person an anonymous id belongs to. The engine's rule: the earliest link by
   (timestamp, message_id) among the contact messages that carry it. `resolve_owners` answers it
   per anonymous id (rows grouped by it), then routes each message: a person's to that person,
   an anonymous-only event, page or group call to its owner, or to the visitor itself when
   nobody identified on it. A contact message whose link lost keeps its other effects (traits,
   placement) and drops the anonymous id, which is where the engine leaves it too: the loser
   ends up without the id, its items and its group calls.
2. An account's traits, set by group calls of many people. Each account's part of a message
   (the traits of a group call; a contact's `groupId`, which creates the account) is routed by
   account, where the engine's latest-wins rule runs again; the contacts an account holds are
   the people whose own partition placed them there.

Then `person_facts` runs a `Workspace` over one partition of whole people and visitors, whose
views are exactly those a workspace holding every message would give them. Views travel as
JSON text, one row each, so that any table of the result can be written or gathered.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pandas as pd

from simulator.audit.calls import loaded
from simulator.engine import Workspace
from simulator.engine.clock import parse_instant
from simulator.store.schema import dump_json

ROUTING = ("kind", "person", "anonymous", "organization", "at", "message_id", "body")
FACTS = ("table", "id", "organization", "start", "events", "pages", "data")
_NUMBERS = {"start": "int64", "events": "int64", "pages": "int64"}
PERSON, VISITOR = "p:", "v:"


def empty_facts() -> pd.DataFrame:
    """The columns of views as rows (`table`: contact, visitor, session or account)."""
    return pd.DataFrame({name: pd.Series([], dtype=_NUMBERS.get(name, object))
                         for name in FACTS})


def empty_routed() -> pd.DataFrame:
    """Mapped messages with the key of the partition their rules run in."""
    frame = pd.DataFrame({name: pd.Series([], dtype="int64" if name == "at" else object)
                          for name in ROUTING})
    return frame.assign(route=pd.Series([], dtype=object))


def needs_owner(rows: pd.DataFrame) -> pd.Series:
    """Messages whose partition depends on who owns their anonymous id: contact messages that
    link one, and events, pages and group calls known by it alone."""
    return rows["anonymous"].notnull() & ((rows["kind"] == "contact") | rows["person"].isnull())


def route_direct(rows: pd.DataFrame) -> pd.DataFrame:
    """Messages that name their person: they go to that person's partition."""
    return rows.assign(route=pd.Series([PERSON + person for person in rows["person"]],
                                       index=rows.index, dtype=object))


def resolve_owners(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows of whole anonymous-id groups, each routed to its owner or visitor (module
    docstring, 1); losing links rewritten without their anonymous id."""
    if rows.empty:
        return rows.assign(route=pd.Series([], dtype=object))
    owners: dict[str, tuple[int, str, str]] = {}
    links = rows[rows["kind"] == "contact"]
    for anonymous, body in zip(links["anonymous"], links["body"], strict=True):
        message = json.loads(body)  # the raw message_id orders links, as the engine does
        link = (parse_instant(message["timestamp"]), message["message_id"], message["person_id"])
        if anonymous not in owners or link < owners[anonymous]:
            owners[anonymous] = link
    routes, bodies = [], []
    for kind, person, anonymous, body in zip(rows["kind"], rows["person"], rows["anonymous"],
                                             rows["body"], strict=True):
        owner = owners[anonymous][2] if anonymous in owners else None
        if kind == "contact":
            routes.append(PERSON + person)
            bodies.append(body if owner == person else _unlinked(body))
        else:
            routes.append(PERSON + owner if owner is not None else VISITOR + anonymous)
            bodies.append(body)
    return rows.assign(route=routes, body=bodies)


def _unlinked(body: str) -> str:
    message = json.loads(body)
    del message["anonymous_id"]
    return dump_json(message)


def person_facts(rows: pd.DataFrame, session_timeout: timedelta) -> pd.DataFrame:
    """The views of the people and visitors whose messages these are (all of them): contact,
    visitor and session rows (module docstring)."""
    workspace = Workspace(session_timeout=session_timeout)
    workspace.apply(loaded(rows["body"]))
    facts: list[tuple[Any, ...]] = []
    for table, key, views in (("contact", "person_id", workspace.contacts()),
                              ("visitor", "anonymous_id", workspace.visitors())):
        for view in views:
            sessions = view.pop("sessions")
            view["session_count"] = len(sessions)
            facts.append((table, view[key], view["organization_id"], 0, view["event_count"],
                          view["page_count"], dump_json(view)))
            facts.extend(("session", session["id"], None, parse_instant(session["start"]),
                          session["event_count"], session["page_count"], dump_json(session))
                         for session in sessions)
    return _facts(facts)


def _facts(facts: list[tuple[Any, ...]]) -> pd.DataFrame:
    return pd.DataFrame(facts, columns=list(FACTS)).astype(_NUMBERS)


def account_parts(rows: pd.DataFrame) -> pd.DataFrame:
    """What each mapped message does to an account (module docstring, 2), as account
    messages keyed by `organization`: the people they name are the person pass's business."""
    chosen = rows[(rows["kind"] == "account")
                  | ((rows["kind"] == "contact") & rows["organization"].notnull())]
    bodies = [_account_part(json.loads(body)) for body in chosen["body"]]
    return pd.DataFrame({"organization": chosen["organization"].to_numpy(),
                         "member": pd.Series([None] * len(bodies), dtype=object),
                         "body": pd.Series(bodies, dtype=object)})


def _account_part(message: dict[str, Any]) -> str:
    part = {"type": "account", "message_id": message["message_id"],
            "timestamp": message["timestamp"], "organization_id": message["organization_id"]}
    if message["type"] == "account" and message.get("traits"):
        part["traits"] = message["traits"]
    return dump_json(part)


def members(contacts: pd.DataFrame) -> pd.DataFrame:
    """Placed contacts as (organization, member) rows, to meet their account's parts."""
    placed = contacts[contacts["organization"].notnull()]
    return pd.DataFrame({"organization": placed["organization"].to_numpy(),
                         "member": placed["id"].to_numpy(),
                         "body": pd.Series([None] * len(placed), dtype=object)})


def account_facts(rows: pd.DataFrame) -> pd.DataFrame:
    """The accounts of whole account groups: traits by the engine's rule, contacts from the
    members that met them."""
    parts = rows[rows["body"].notnull()]
    workspace = Workspace()
    workspace.apply(loaded(parts["body"]))
    held: dict[str, list[str]] = {}
    for organization, member in zip(rows["organization"], rows["member"], strict=True):
        if isinstance(member, str):  # a part's is missing (None, or NaN after a shuffle)
            held.setdefault(organization, []).append(member)
    facts = []
    for account in workspace.accounts():
        account["contacts"] = sorted(held.get(account["organization_id"], ()))
        facts.append(("account", account["organization_id"], account["organization_id"], 0, 0,
                      0, dump_json(account)))
    return _facts(facts)
