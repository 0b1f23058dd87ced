"""Engine: stitching anonymous visitors to contacts, before and after, and conflicting links."""

from __future__ import annotations

import pytest
from engine_messages import account, contact, event, millis, page

from simulator.engine import Workspace


def session_items(ws: Workspace, person_id: str) -> list[list[str]]:
    """Message ids of each of a person's sessions."""
    return [[item["message_id"] for item in s["items"]] for s in ws.sessions(person_id)]


def test_an_unlinked_anonymous_id_is_a_visitor_with_its_own_sessions() -> None:
    ws = Workspace()
    ws.apply([page("m1", 0, anonymous_id="a1"), event("m2", 5, anonymous_id="a1")])

    [visitor] = ws.visitors()
    assert visitor["anonymous_id"] == "a1"
    assert (visitor["event_count"], visitor["page_count"]) == (1, 1)
    [session] = visitor["sessions"]
    assert session["id"] == f"anonymous:a1:{millis(0)}"
    assert (session["person"], session["anonymous_id"]) == (None, "a1")
    assert ws.contacts() == []


@pytest.mark.parametrize("link_first", [True, False])
def test_identifying_gives_the_contact_the_visitors_earlier_and_later_history(
    link_first: bool,
) -> None:
    before = [page("m1", 0, anonymous_id="a1"), account("m2", 1, "acme", anonymous_id="a1")]
    link = [contact("m3", 10, "u1", anonymous_id="a1")]
    after = [event("m4", 20, anonymous_id="a1"), event("m5", 25, person_id="u1")]
    ws = Workspace()
    for batch in [link, before, after] if link_first else [before, link, after]:
        ws.apply(batch)

    found = ws.contact("u1")
    assert found["anonymous_ids"] == ["a1"]
    assert found["organization_id"] == "acme"
    assert ws.account("acme")["contacts"] == ["u1"]
    assert session_items(ws, "u1") == [["m1", "m4", "m5"]]
    assert ws.visitors() == []


def test_the_earliest_link_wins_an_anonymous_id_claimed_by_two_people() -> None:
    ws = Workspace()
    ws.apply(
        [
            event("m1", 0, person_id="u1"),
            event("m2", 20, anonymous_id="a1"),
            event("m3", 40, person_id="u1"),
            account("m4", 21, "acme", anonymous_id="a1"),
            contact("m5", 30, "u1", anonymous_id="a1"),
        ]
    )
    assert session_items(ws, "u1") == [["m1", "m2", "m3"]]
    assert ws.contact("u1")["organization_id"] == "acme"

    ws.apply([contact("m6", 15, "u2", anonymous_id="a1")])

    assert ws.contact("u1")["anonymous_ids"] == []
    assert ws.contact("u2")["anonymous_ids"] == ["a1"]
    assert session_items(ws, "u1") == [["m1"], ["m3"]]
    assert session_items(ws, "u2") == [["m2"]]
    assert ws.contact("u1")["organization_id"] is None
    assert ws.contact("u2")["organization_id"] == "acme"
    assert ws.account("acme")["contacts"] == ["u2"]


def test_a_later_link_to_someone_else_changes_nothing() -> None:
    ws = Workspace()
    ws.apply([contact("m1", 0, "u1", anonymous_id="a1"), event("m2", 5, anonymous_id="a1")])

    ws.apply([contact("m3", 10, "u2", anonymous_id="a1")])

    assert ws.contact("u1")["anonymous_ids"] == ["a1"]
    assert ws.contact("u2")["anonymous_ids"] == []
    assert ws.sessions("u2") == []


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_links_at_the_same_instant_go_to_the_smaller_message_id(order: tuple[int, int]) -> None:
    links = [
        contact("b-msg", 0, "u1", anonymous_id="a1"),
        contact("a-msg", 0, "u2", anonymous_id="a1"),
    ]
    ws = Workspace()
    ws.apply([event("m1", 5, anonymous_id="a1")])
    for index in order:
        ws.apply([links[index]])

    assert ws.contact("u2")["anonymous_ids"] == ["a1"]
    assert ws.contact("u1")["anonymous_ids"] == []


def test_a_person_keeps_a_re_linked_visitors_placement_only_if_it_had_its_own() -> None:
    ws = Workspace()
    ws.apply(
        [
            contact("m1", 0, "u1", organization_id="initech"),
            account("m2", 10, "acme", anonymous_id="a1"),
            contact("m3", 20, "u1", anonymous_id="a1"),
        ]
    )
    assert ws.contact("u1")["organization_id"] == "acme"

    ws.apply([contact("m4", 5, "u2", anonymous_id="a1")])

    assert ws.contact("u1")["organization_id"] == "initech"
    assert [e["organization_id"] for e in ws.contact("u1")["account_history"]] == ["initech"]


def test_only_contact_messages_link_an_anonymous_id() -> None:
    ws = Workspace()
    ws.apply(
        [
            event("m1", 0, person_id="u1", anonymous_id="a1"),
            account("m2", 0, "acme", person_id="u1", anonymous_id="a1"),
            event("m3", 5, anonymous_id="a1"),
        ]
    )

    assert ws.contact("u1")["anonymous_ids"] == []
    assert session_items(ws, "u1") == [["m1"]]
    assert ws.sessions("u1")[0]["items"][0]["anonymous_id"] == "a1"
    assert [v["anonymous_id"] for v in ws.visitors()] == ["a1"]


def test_a_visitors_group_call_is_shown_but_places_nobody() -> None:
    ws = Workspace()
    ws.apply([account("m1", 0, "acme", anonymous_id="a1")])

    assert ws.visitors() == [
        {
            "anonymous_id": "a1",
            "organization_id": "acme",
            "event_count": 0,
            "page_count": 0,
            "sessions": [],
        }
    ]
    assert ws.account("acme")["contacts"] == []
