"""The Simulator's reads made for the dashboard: pages of lists, a contact with a page of its
sessions, a visitor, an anonymous id's owner, a stored message; each agrees with the full views."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from engine_messages import account, contact, event, page

from simulator.errors import NotFound
from simulator.service import Simulator
from simulator.store import SQLiteStore

BATCH = [
    contact("c1", 0, "ann", organization_id="org/1", anonymous_id="anon-1"),
    *[event(f"e{n}", n * 60, person_id="ann") for n in range(5)],  # five sessions
    page("p1", 1, anonymous_id="anon-1"),
    contact("c2", 0, "bob"),
    account("a2", 0, "org/2", person_id="cy"),
    page("p2", 0, anonymous_id="anon-2"),
    account("a3", 0, "org/3", anonymous_id="anon-3"),
]


@pytest.fixture
def loaded() -> Iterator[tuple[Simulator, str]]:
    """A simulator and the id of its workspace holding BATCH."""
    simulator = Simulator(SQLiteStore(None))
    ws = simulator.create_workspace("reads")["id"]
    simulator.ingest(ws, {"batch": BATCH})
    yield simulator, ws
    simulator.close()


@pytest.mark.parametrize("kind", ["accounts", "contacts", "pending", "visitors"])
def test_pages_cover_the_full_list_in_order(loaded: tuple[Simulator, str], kind: str) -> None:
    sim, ws = loaded
    full = {"accounts": sim.accounts, "contacts": sim.contacts, "pending": sim.pending,
            "visitors": sim.visitors}[kind](ws)
    pages = [sim.page(ws, kind, offset=offset, limit=2) for offset in range(0, 6, 2)]
    assert {p["total"] for p in pages} == {len(full)}
    joined = [item for p in pages for item in p["items"]]
    if kind == "contacts":  # a list row: how many sessions, none built
        assert [c["session_count"] for c in joined] == [len(c["sessions"]) for c in full]
        assert all(c["sessions"] == [] for c in joined)
        full = [{**c, "sessions": []} for c in full]
        joined = [{k: v for k, v in c.items() if k != "session_count"} for c in joined]
    assert joined == full


def test_an_unknown_kind_of_list_is_an_error(loaded: tuple[Simulator, str]) -> None:
    sim, ws = loaded
    with pytest.raises(ValueError, match="kind must be"):
        sim.page(ws, "sessions")


def test_a_contact_page_holds_a_window_of_its_sessions_newest_first(
        loaded: tuple[Simulator, str]) -> None:
    sim, ws = loaded
    whole = sim.contact(ws, "ann")
    first = sim.contact_page(ws, "ann", offset=0, limit=2)
    last = sim.contact_page(ws, "ann", offset=4, limit=2)
    assert first["session_count"] == last["session_count"] == len(whole["sessions"]) == 5
    assert first["sessions"] == whole["sessions"][::-1][:2]
    assert last["sessions"] == whole["sessions"][:1]
    assert {k: v for k, v in first.items() if k not in ("sessions", "session_count")} == {
        k: v for k, v in whole.items() if k != "sessions"}
    with pytest.raises(NotFound):
        sim.contact_page(ws, "nobody", offset=0, limit=2)


def test_visitors_and_owners_by_anonymous_id(loaded: tuple[Simulator, str]) -> None:
    sim, ws = loaded
    assert sim.visitor(ws, "anon-2") == next(
        v for v in sim.visitors(ws) if v["anonymous_id"] == "anon-2")
    assert sim.visitor(ws, "anon-3")["organization_id"] == "org/3"
    assert sim.owner(ws, "anon-1") == "ann"
    assert sim.owner(ws, "anon-2") is None and sim.owner(ws, "never") is None
    for tied_or_unknown in ("anon-1", "never"):
        with pytest.raises(NotFound):
            sim.visitor(ws, tied_or_unknown)


def test_counts_and_stored_messages(loaded: tuple[Simulator, str]) -> None:
    sim, ws = loaded
    assert sim.counts(ws) == sim.snapshot(ws)["counts"]
    assert sim.message(ws, "c2") == BATCH[7]
    with pytest.raises(NotFound):
        sim.message(ws, "never")
