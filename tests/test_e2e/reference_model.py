"""A reference model of Akita's rules: small, obviously correct, and independent of the simulator.

It recomputes from scratch, by sorting, what the simulator maintains incrementally, so the two
agree only if the simulator is right. It reads Akita messages (what the destination sends) and
produces a `View`: the part of a snapshot the rules decide, in plain sets and dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from contract.timestamps import parse_timestamp

Key = tuple[datetime, str]  # (instant, message_id): the order "latest wins" uses
Run = tuple[datetime, datetime, int]  # a session: first instant, last instant, item count


@dataclass(frozen=True)
class View:
    """What the rules decide: who is in which account, latest traits, who is still anonymous,
    sessions by actor, and how many distinct messages were applied."""

    accounts: dict[str, dict[str, Any]]  # organization_id -> traits
    members: dict[str, frozenset[str]]  # organization_id -> person ids placed there
    contacts: dict[str, dict[str, Any]]  # person_id -> {"account": id | None, "traits": {...}}
    visitors: frozenset[str]  # anonymous ids nobody identified on
    sessions: dict[str, list[tuple[str, str, int]]]  # actor -> [(start, end, item count)]
    messages: int


def _key(message: dict[str, Any]) -> Key:
    return (parse_timestamp(message["timestamp"]), message["message_id"])


def _as_text(runs: list[Run]) -> list[tuple[str, str, int]]:
    """Sessions in time order, instants as text, so both sides compare as plain values."""
    return [(start.isoformat(), end.isoformat(), count) for start, end, count in sorted(runs)]


def expected_view(messages: list[dict[str, Any]],
                  timeout: timedelta = timedelta(minutes=30)) -> View:
    """The state Akita must reach from these messages (in arrival order), whatever that order.

    Arrival order matters only for a message_id sent twice: the first copy is applied and later
    ones are acknowledged duplicates (DESIGN.md, Idempotency).
    """
    first: dict[str, dict[str, Any]] = {}
    for m in messages:
        first.setdefault(m["message_id"], m)
    unique = sorted(first.values(), key=_key)

    owner: dict[str, str] = {}  # anonymous id -> person: the earliest identify on it wins
    for m in unique:
        if m["type"] == "contact" and "anonymous_id" in m:
            owner.setdefault(m["anonymous_id"], m["person_id"])

    def person(m: dict[str, Any]) -> str | None:
        return m.get("person_id") or owner.get(m.get("anonymous_id", ""))

    contacts: dict[str, dict[str, Any]] = {}
    accounts: dict[str, dict[str, Any]] = {}
    visitors: set[str] = set()
    for m in unique:  # in time order, so a later value simply overwrites an earlier one
        who = person(m)
        if who is not None:
            contacts.setdefault(who, {"account": None, "traits": {}})
        elif "anonymous_id" in m:  # anonymous alone, and nobody identified on it
            visitors.add(m["anonymous_id"])
        if m["type"] == "contact":
            contacts[who]["traits"].update(m.get("traits", {}))
        if m["type"] == "account":
            accounts.setdefault(m["organization_id"], {}).update(m.get("traits", {}))
        if m["type"] in ("account", "contact") and "organization_id" in m:
            accounts.setdefault(m["organization_id"], {})
            if who is not None:
                contacts[who]["account"] = m["organization_id"]

    members = {org: frozenset(p for p, c in contacts.items() if c["account"] == org)
               for org in accounts}

    sessions: dict[str, list[Run]] = {}
    for m in unique:
        if m["type"] not in ("event", "page"):
            continue
        actor = person(m) or f"anonymous:{m['anonymous_id']}"
        runs = sessions.setdefault(actor, [])
        moment = parse_timestamp(m["timestamp"])
        if runs and moment - runs[-1][1] < timeout:
            runs[-1] = (runs[-1][0], moment, runs[-1][2] + 1)
        else:
            runs.append((moment, moment, 1))
    return View(accounts, members, contacts, frozenset(visitors),
                {actor: _as_text(runs) for actor, runs in sessions.items()}, len(unique))


def observed_view(snapshot: dict[str, Any]) -> View:
    """The same View read off a simulator snapshot (`/_sim/workspaces/<id>/state`)."""
    accounts = {a["organization_id"]: a["traits"] for a in snapshot["accounts"]}
    members = {a["organization_id"]: frozenset(a["contacts"]) for a in snapshot["accounts"]}
    contacts = {c["person_id"]: {"account": c["organization_id"], "traits": c["traits"]}
                for c in snapshot["contacts"]}
    visitors = frozenset(v["anonymous_id"] for v in snapshot["visitors"])
    sessions: dict[str, list[Run]] = {}
    for session in snapshot["sessions"]:
        actor = session["person"] or f"anonymous:{session['anonymous_id']}"
        count = session["event_count"] + session["page_count"]
        sessions.setdefault(actor, []).append((
            parse_timestamp(session["start"]), parse_timestamp(session["end"]), count))
    return View(accounts, members, contacts, visitors,
                {actor: _as_text(runs) for actor, runs in sessions.items()},
                snapshot["counts"]["messages"])


def differences(observed: View, expected: View) -> list[str]:
    """Where Akita's view and the model's part, key by key, for a failure message that reads
    without a debugger (helper modules get no pytest assertion rewriting)."""
    found = []
    for field in fields(View):
        seen, wanted = getattr(observed, field.name), getattr(expected, field.name)
        if seen == wanted:
            continue
        if isinstance(seen, dict):
            for key in sorted(set(seen) | set(wanted), key=str):
                if seen.get(key) != wanted.get(key):
                    found.append(f"{field.name}[{key!r}]: Akita has {seen.get(key, '(none)')!r}, "
                                 f"the model expects {wanted.get(key, '(none)')!r}")
        else:
            found.append(f"{field.name}: Akita has {seen!r}, the model expects {wanted!r}")
    return found
