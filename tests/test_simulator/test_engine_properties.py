"""Engine properties over generated message sets: the state is a function of the *set* of
accepted messages, whatever order, batching or repetition delivers them in.

The strategies are local and deliberately small (two people, two visitors, three accounts,
timestamps on a ten-minute grid) so that ties, moves, re-links and exact session-timeout gaps
turn up in almost every example.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.engine import Workspace, parse_instant, session_spans
from simulator.errors import Conflict

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TIMEOUT = timedelta(minutes=30)

people = st.sampled_from(["u1", "u2"])
visitors = st.sampled_from(["a1", "a2"])
organizations = st.sampled_from(["acme", "initech", "umbrella"])
traits = st.dictionaries(
    st.sampled_from(["plan", "email", "seats"]),
    st.one_of(st.none(), st.integers(0, 3), st.sampled_from(["free", "pro"])),
    max_size=3,
)


@st.composite
def timestamps(draw: st.DrawFn) -> str:
    """A UTC timestamp on a ten-minute grid (so gaps of exactly 30 minutes are common), in
    either of the spellings Segment libraries use."""
    moment = T0 + timedelta(minutes=10 * draw(st.integers(0, 12)))
    suffix = draw(st.sampled_from([".000Z", ".000+00:00", "Z"]))
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + suffix


@st.composite
def who(draw: st.DrawFn, *, nobody: bool = False) -> dict[str, str]:
    """A person, a visitor, both, or (for account messages) neither."""
    choice = draw(st.sampled_from(["person", "visitor", "both", "nobody"][: 4 if nobody else 3]))
    found = {}
    if choice in ("person", "both"):
        found["person_id"] = draw(people)
    if choice in ("visitor", "both"):
        found["anonymous_id"] = draw(visitors)
    return found


@st.composite
def akita_messages(draw: st.DrawFn) -> dict[str, Any]:
    """One valid Akita message without its message_id (ids are given per set)."""
    kind = draw(st.sampled_from(["contact", "account", "event", "page"]))
    message: dict[str, Any] = {"type": kind, "timestamp": draw(timestamps())}
    if kind == "contact":
        message["person_id"] = draw(people)
        message.update(draw(st.fixed_dictionaries({}, optional={"anonymous_id": visitors})))
    elif kind == "account":
        message["organization_id"] = draw(organizations)
        message.update(draw(who(nobody=True)))
    else:
        message.update(draw(who()))
        if kind == "event":
            message["event"] = draw(st.sampled_from(["Signed Up", "Invited"]))
        else:
            message["name"] = draw(st.sampled_from(["Home", None]))
    if kind in ("contact", "event", "page"):
        message.update(draw(st.fixed_dictionaries({}, optional={"organization_id": organizations})))
    if kind in ("contact", "account"):
        message["traits"] = draw(traits)
    return message


def message_sets(max_size: int = 24) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Lists of messages with distinct message ids (unpadded, so "m10" sorts before "m9")."""
    return st.lists(akita_messages(), max_size=max_size).map(
        lambda found: [{**m, "message_id": f"m{i}"} for i, m in enumerate(found)]
    )


def split(messages: list[dict[str, Any]], cuts: list[int]) -> list[list[dict[str, Any]]]:
    """`messages` cut into consecutive batches at the given indexes."""
    bounds = [0, *sorted({min(cut, len(messages)) for cut in cuts}), len(messages)]
    return [messages[lo:hi] for lo, hi in pairwise(bounds)]


def build(batches: list[list[dict[str, Any]]], *, strict: bool = False) -> Workspace:
    """A workspace with each batch applied in turn."""
    ws = Workspace(session_timeout=TIMEOUT, strict_accounts=strict)
    for batch in batches:
        ws.apply(batch)
    return ws


def as_json(ws: Workspace) -> str:
    """The snapshot as text: equal text means equal content *and* equal ordering."""
    return json.dumps(ws.snapshot())


@settings(deadline=None)
@given(messages=message_sets(), data=st.data())
def test_any_permutation_gives_the_same_snapshot(messages: list[dict[str, Any]], data) -> None:
    shuffled = data.draw(st.permutations(messages))

    assert as_json(build([[m] for m in shuffled])) == as_json(build([messages]))


@settings(deadline=None)
@given(messages=message_sets(), data=st.data())
def test_splitting_into_batches_any_way_gives_the_same_snapshot(
    messages: list[dict[str, Any]], data
) -> None:
    cuts = data.draw(st.lists(st.integers(0, len(messages))))

    assert as_json(build(split(messages, cuts))) == as_json(build([messages]))


@settings(deadline=None)
@given(messages=message_sets(), data=st.data())
def test_resending_everything_changes_nothing_and_counts_all_as_duplicates(
    messages: list[dict[str, Any]], data
) -> None:
    ws = build([messages])
    before = as_json(ws)
    resent = data.draw(st.permutations(messages))

    result = ws.apply(resent)

    assert result.accepted == []
    assert result.duplicates == [m["message_id"] for m in resent]
    assert as_json(ws) == before
    assert ws.message_count == len(messages)


def assert_one_account_each(ws: Workspace) -> None:
    """Rule 1: a contact is in one account or pending, and accounts list exactly their own."""
    listed: dict[str, list[str]] = {}
    for account in ws.accounts():
        for person_id in account["contacts"]:
            listed.setdefault(person_id, []).append(account["organization_id"])
    for contact in ws.contacts():
        organization_id = contact["organization_id"]
        assert listed.get(contact["person_id"], []) == (
            [organization_id] if organization_id else []
        )
        assert (organization_id is None) == (contact["pending_reason"] is not None)
        history = contact["account_history"]
        assert (history[-1]["organization_id"] if history else None) == organization_id
    assert [p["person_id"] for p in ws.pending()] == [
        c["person_id"] for c in ws.contacts() if c["organization_id"] is None
    ]


@settings(deadline=None)
@given(messages=message_sets(), data=st.data())
def test_no_contact_is_ever_in_two_accounts(messages: list[dict[str, Any]], data) -> None:
    ws = Workspace(session_timeout=TIMEOUT)
    for batch in split(
        data.draw(st.permutations(messages)), data.draw(st.lists(st.integers(0, 24)))
    ):
        ws.apply(batch)
        assert_one_account_each(ws)


@settings(deadline=None)
@given(messages=message_sets(), data=st.data())
def test_incremental_sessions_equal_sessions_from_scratch(
    messages: list[dict[str, Any]], data
) -> None:
    ws = build([[m] for m in data.draw(st.permutations(messages))])
    snapshot = ws.snapshot()
    timeout = int(TIMEOUT / timedelta(microseconds=1))

    owners = snapshot["contacts"] + snapshot["visitors"]
    for owner in owners:
        sessions = owner["sessions"]
        items = [item for session in sessions for item in session["items"]]
        keys = [(parse_instant(item["timestamp"]), item["message_id"]) for item in items]
        assert keys == sorted(keys)
        expected = session_spans([instant for instant, _ in keys], timeout)
        got = [(parse_instant(s["start"]), parse_instant(s["end"])) for s in sessions]
        assert got == expected
    every = [session["id"] for owner in owners for session in owner["sessions"]]
    assert sorted(every) == sorted(session["id"] for session in snapshot["sessions"])
    assert snapshot["counts"]["sessions"] == len(every)
    events_and_pages = [m for m in messages if m["type"] in ("event", "page")]
    assert sum(len(s["items"]) for s in snapshot["sessions"]) == len(events_and_pages)


def moves(ws: Workspace) -> bool:
    """True when some contact's placements name more than one account."""
    return any(len(contact["account_history"]) > 1 for contact in ws.contacts())


@settings(deadline=None)
@given(messages=message_sets(), data=st.data())
def test_strict_accounts_refuse_exactly_the_batches_that_would_move_someone(
    messages: list[dict[str, Any]], data
) -> None:
    strict = Workspace(session_timeout=TIMEOUT, strict_accounts=True)
    accepted: list[dict[str, Any]] = []
    for batch in split(messages, data.draw(st.lists(st.integers(0, len(messages))))):
        before = as_json(strict)
        if moves(build([[*accepted, *batch]])):
            with pytest.raises(Conflict):
                strict.apply(batch)
            assert as_json(strict) == before
        else:
            strict.apply(batch)
            accepted.extend(batch)
            assert as_json(strict) == as_json(build([accepted]))
